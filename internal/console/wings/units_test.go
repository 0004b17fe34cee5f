package wings

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
)

func lineEv(s string) console.Event { return console.Event{Kind: console.KindLine, Text: s} }

func drain(q *queue) []console.Event {
	q.close()
	var out []console.Event
	for {
		ev, ok := q.next(context.Background())
		if !ok {
			return out
		}
		out = append(out, ev)
	}
}

func TestQueueDropsOldestLinesAndSaysSoOnceDrained(t *testing.T) {
	q := newQueue(3, manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
	q.push(console.Event{Kind: console.KindNotice, Text: "keep me"})
	for _, s := range []string{"a", "b", "c", "d"} {
		q.push(lineEv(s))
	}
	got := drain(q)
	require.Len(t, got, 4)
	assert.Equal(t, "keep me", got[0].Text)
	assert.Equal(t, []string{"c", "d"}, []string{got[1].Text, got[2].Text})
	assert.Equal(t, console.KindNotice, got[3].Kind)
	assert.Equal(t, "2 console lines were dropped because the relay fell behind.", got[3].Text)
}

func TestQueueKeepsOnlyTheLatestStats(t *testing.T) {
	q := newQueue(16, manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
	q.push(console.Event{Kind: console.KindStats, Stats: &panel.Resources{MemoryBytes: 1}})
	q.push(lineEv("a"))
	q.push(console.Event{Kind: console.KindStats, Stats: &panel.Resources{MemoryBytes: 2}})
	got := drain(q)
	require.Len(t, got, 2)
	assert.Equal(t, int64(2), got[0].Stats.MemoryBytes)
}

func TestQueueNextHonoursContext(t *testing.T) {
	q := newQueue(16, manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, ok := q.next(ctx)
	assert.False(t, ok)
}

func TestDecodeFrame(t *testing.T) {
	f, err := decodeFrame([]byte(`{"event":"console output","args":["hi"]}`))
	require.NoError(t, err)
	assert.Equal(t, "hi", f.arg())
	f, err = decodeFrame([]byte(`{"event":"auth success"}`))
	require.NoError(t, err)
	assert.Equal(t, "", f.arg())
	for _, bad := range []string{``, `null`, `{}`, `{"event":1}`, `{"event":"x","args":[1]}`, `[]`, `{"event":"x","args":"y"}`} {
		_, err := decodeFrame([]byte(bad))
		assert.Error(t, err, bad)
	}
	assert.JSONEq(t, `{"event":"send logs"}`, string(encodeFrame("send logs")))
}

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{`{"event":"stats","args":["{\"memory_bytes\":1}"]}`, `{"event":"jwt error","args":["jwt: exp claim is invalid"]}`, `{`, `{"event":"","args":[]}`, "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := decodeFrame(b)
		if err != nil {
			return
		}
		again, err := decodeFrame(encodeFrame(fr.Event, fr.Args...))
		require.NoError(t, err)
		require.Equal(t, fr.Event, again.Event)
		require.Equal(t, len(fr.Args), len(again.Args))
		_, _ = parseStats(fr.arg())
	})
}

func TestParseStats(t *testing.T) {
	res, err := parseStats(`{"memory_bytes":100,"memory_limit_bytes":1000,"cpu_absolute":12.5,"network":{"rx_bytes":7,"tx_bytes":8},"uptime":61000,"state":"running","disk_bytes":55,"disk_io":{}}`)
	require.NoError(t, err)
	assert.Equal(t, panel.Resources{State: panel.StateRunning, Live: true, Uptime: 61 * time.Second, CPUPercent: 12.5,
		MemoryBytes: 100, MemoryLimitBytes: 1000, DiskBytes: 55, NetworkRxBytes: 7, NetworkTxBytes: 8}, res)
	for _, bad := range []string{``, `[]`, `{"memory_bytes":"x"}`, `{"memory_bytes":-1}`, `{"uptime":-5}`} {
		_, err := parseStats(bad)
		assert.Error(t, err, bad)
	}
}

func jwtWithExp(exp string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(`{"exp":`+exp+`}`)) + ".sig"
}

func TestTokenExpiry(t *testing.T) {
	assert.Equal(t, time.Unix(1700000000, 0), tokenExpiry(jwtWithExp("1700000000")))
	assert.Equal(t, time.Unix(1700000000, 0), tokenExpiry(jwtWithExp("1700000000.5")))
	for _, bad := range []string{"", "a.b", "a.!!!.c", jwtWithExp(`"soon"`), jwtWithExp("-1"), jwtWithExp("1e300")} {
		assert.True(t, tokenExpiry(bad).IsZero(), bad)
	}
}

// fakeCreds is a Credentialer with a function field.
type fakeCreds struct {
	fn func(ctx context.Context, id string) (panel.SocketCredentials, error)
}

func (f fakeCreds) SocketCredentials(ctx context.Context, id string) (panel.SocketCredentials, error) {
	return f.fn(ctx, id)
}

func TestTokenCacheReusesUntilCloseToExpiryAndSpacesFetches(t *testing.T) {
	clock := manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	calls := 0
	src := fakeCreds{fn: func(context.Context, string) (panel.SocketCredentials, error) {
		calls++
		return panel.SocketCredentials{URL: "https://node.example:8080/api/servers/u/ws", Token: "t",
			Expires: clock.Now().Add(10 * time.Minute)}, nil
	}}
	tc := newTokenCache(src, "abc", clock)
	ctx := context.Background()
	c, _, err := tc.get(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, "wss://node.example:8080/api/servers/u/ws", c.URL, "https becomes wss")
	clock.Advance(8 * time.Minute)
	_, _, _ = tc.get(ctx, false)
	assert.Equal(t, 1, calls, "8 of 10 minutes used: reused")
	clock.Advance(90 * time.Second)
	_, _, _ = tc.get(ctx, false)
	assert.Equal(t, 2, calls, "30 s left: refreshed")

	done := make(chan error, 1)
	go func() { _, _, err := tc.get(ctx, true); done <- err }()
	require.Eventually(t, func() bool { return clock.Pending() == 1 }, 5*time.Second, time.Millisecond,
		"a forced fetch right after one waits on the clock for the panel's limit")
	assert.Equal(t, 2, calls)
	clock.Advance(fetchEvery)
	require.NoError(t, <-done)
	assert.Equal(t, 3, calls)
}

func TestTokenCacheRejectsUnusableCredentials(t *testing.T) {
	for _, c := range []panel.SocketCredentials{{URL: "wss://n/ws"}, {URL: "ftp://n/ws", Token: "t"}, {URL: "::", Token: "t"}} {
		tc := newTokenCache(fakeCreds{fn: func(context.Context, string) (panel.SocketCredentials, error) { return c, nil }}, "abc", manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
		_, _, err := tc.get(context.Background(), false)
		assert.True(t, errors.Is(err, panel.ErrBadResponse), "%v", err)
	}
}

func TestNewValidates(t *testing.T) {
	src := fakeCreds{}
	_, err := New(nil, "abc", "https://panel.example.com")
	assert.Error(t, err)
	_, err = New(src, " ", "https://panel.example.com")
	assert.Error(t, err)
	_, err = New(src, "abc", "panel.example.com")
	assert.Error(t, err)
	_, err = New(src, "abc", "https://panel.example.com", WithQueueSize(1))
	assert.Error(t, err)
	_, err = New(src, "abc", "https://panel.example.com", WithDialer(nil))
	assert.Error(t, err)
	s, err := New(src, "abc", "https://panel.example.com/some/path/")
	require.NoError(t, err)
	assert.Equal(t, "https://panel.example.com", s.origin)
}

func TestDefaultBackoff(t *testing.T) {
	for attempt, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		d := DefaultBackoff(attempt)
		assert.True(t, d >= want/2 && d <= want, "attempt %d: %v", attempt, d)
	}
	assert.LessOrEqual(t, DefaultBackoff(100), 2*time.Minute)
	assert.GreaterOrEqual(t, DefaultBackoff(100), time.Minute)
}

func TestValidCommand(t *testing.T) {
	assert.NoError(t, validCommand("say hi"))
	for _, bad := range []string{"", "  ", "a\nb", string(make([]byte, 5000))} {
		assert.Error(t, validCommand(bad))
	}
}

func TestSendRefusesWhileTheNodeRefusesTheToken(t *testing.T) {
	s, err := New(fakeCreds{}, sid, "https://panel.example.com", WithClock(manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))))
	require.NoError(t, err)
	c := &conn{out: make(chan outFrame, 1), dead: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	defer c.cancel()
	s.cur, s.state = c, panel.StateRunning
	require.NoError(t, s.Send(context.Background(), "say one"))
	<-c.out
	c.lost.Store(true) // jwt errors since the last auth success: the node drops commands
	err = s.Send(context.Background(), "say two")
	require.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Contains(t, panel.UserMessage(err), "Try again in a moment")
	assert.Empty(t, c.out, "nothing queued for a node that would drop it")
}

// At shutdown the relay is still reading until Stream returns: what the
// queue holds is handed over, not abandoned at random, and what finds no
// room is counted.
func TestPumpHandsOverWhatIsQueuedAtShutdown(t *testing.T) {
	clock := manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct{ room, lost int }{{64, 0}, {10, 30}} {
		q := newQueue(64, clock)
		for i := range 40 {
			q.push(lineEv(itoa(i)))
		}
		out := make(chan console.Event, c.room)
		lost := make(chan int, 1)
		go func() { lost <- q.pump(ctx, out) }()
		q.close()
		require.Equal(t, c.lost, <-lost)
		close(out)
		want := 0
		for ev := range out {
			assert.Equal(t, itoa(want), ev.Text, "in order")
			want++
		}
		assert.Equal(t, 40-c.lost, want)
	}
}

func TestQueueIsBoundedEvenWhenAllNotices(t *testing.T) {
	q := newQueue(16, manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
	for i := range 100 {
		q.push(console.Event{Kind: console.KindStatus, State: panel.StateRunning})
		q.push(console.Event{Kind: console.KindNotice, Text: itoa(i)})
	}
	q.push(lineEv("late"))
	got := drain(q)
	assert.Len(t, got, 33, "at most twice the size, plus the dropped-lines notice")
	assert.Equal(t, "1 console line was dropped because the relay fell behind.", got[len(got)-1].Text)
}
