package console

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/fakediscord"
)

func TestPaceSpacesRequestsAndHonoursAGlobal429(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newTestClock()
		p := newPace(clk, 10)
		ctx := context.Background()
		for range paceBurst {
			require.NoError(t, p.wait(ctx), "the burst goes at once")
		}
		done := make(chan struct{})
		go func() { _ = p.wait(ctx); close(done) }()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("past the burst, a request waits for the pace")
		default:
		}
		clk.Advance(100 * time.Millisecond)
		synctest.Wait()
		<-done

		p.observe(2 * time.Second) // a global 429's Retry-After
		done = make(chan struct{})
		go func() { _ = p.wait(ctx); close(done) }()
		synctest.Wait()
		clk.Advance(2*time.Second - time.Millisecond)
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("nobody sends before the global Retry-After ends")
		default:
		}
		clk.Advance(time.Millisecond)
		synctest.Wait()
		<-done
	})
}

// The watcher reads what discordgo hides: a global 429 and a 502.
func TestWatcherSeesGlobal429And502(t *testing.T) {
	clk := newTestClock()
	p := newPace(clk, 45)
	for _, c := range []struct {
		status int
		header http.Header
		global bool
	}{
		{http.StatusTooManyRequests, http.Header{"X-Ratelimit-Global": {"true"}, "Retry-After": {"3"}}, true},
		{http.StatusTooManyRequests, http.Header{"Retry-After": {"3"}}, false},
		{http.StatusBadGateway, http.Header{}, false},
	} {
		a := &attempt{}
		w := &watcher{pace: p, a: a, next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: c.status, Header: c.header, Body: io.NopCloser(strings.NewReader(""))}, nil
		})}
		_, err := w.RoundTrip(&http.Request{})
		require.NoError(t, err)
		assert.Equal(t, c.status, a.status)
		assert.Equal(t, c.global, a.global)
	}
	assert.Equal(t, clk.Now().Add(3*time.Second), p.until, "only the global 429 pauses everyone")
	out, _, _ := classify(fmt.Errorf("Exceeded Max retries HTTP 502 Bad Gateway"), &attempt{status: http.StatusBadGateway})
	assert.Equal(t, unsent, out)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestUploadLimitIsLookedUpOncePerChannel(t *testing.T) {
	const g2, ch2, g0, ch0, gone = "900000000000000011", "900000000000000012", "900000000000000021", "900000000000000022", "900000000000000099"
	s := fakediscord.New(t, fakediscord.WithChannel(g2, ch2), fakediscord.WithPremiumTier(g2, 2), fakediscord.WithChannel(g0, ch0))
	dg, err := discordgo.New("Bot " + s.Token())
	require.NoError(t, err)
	dg.Client = &http.Client{Transport: s.Transport()}
	hub, err := NewHub(dg)
	require.NoError(t, err)
	ctx := context.Background()
	assert.Equal(t, int64(uploadTier2), hub.uploadLimit(ctx, ch2))
	assert.Equal(t, int64(uploadDefault), hub.uploadLimit(ctx, ch0))
	assert.Equal(t, int64(uploadDefault), hub.uploadLimit(ctx, gone), "an unknown channel falls back to 10 MiB")
	n := len(s.Requests())
	assert.Equal(t, int64(uploadTier2), hub.uploadLimit(ctx, ch2))
	assert.Len(t, s.Requests(), n, "looked up once")
	hub, err = NewHub(&recorder{})
	require.NoError(t, err)
	assert.Equal(t, int64(uploadDefault), hub.uploadLimit(ctx, ch2), "a poster that cannot look up gets 10 MiB")
}

// A quiet console's line waits only the first linger; a burst's first
// message is full instead of holding its first line alone.
func TestFirstLingerFillsTheFirstMessageOfABurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		h := newHarness(t, rec, []Option{WithLinger(DefaultLinger), WithFirstLinger(DefaultFirstLinger)})
		h.lines("quiet")
		synctest.Wait()
		require.Empty(t, rec.all())
		h.clock.Advance(DefaultFirstLinger)
		synctest.Wait()
		require.Len(t, rec.all(), 1, "a quiet line is posted after the first linger")
		h.clock.Advance(time.Minute)
		synctest.Wait()
		for i := range 40 {
			h.lines(fmt.Sprintf("burst %02d %s", i, strings.Repeat(".", 60)))
		}
		synctest.Wait()
		calls := rec.all()
		require.Len(t, calls, 2, "a full message does not wait")
		assert.Greater(t, width(calls[1].content), maxContent-80, "the burst's first message is full")
		h.stop()
	})
}

// SIGTERM during a flood: after the relays stop, the drain ends within
// the drain timeout plus one bucket wait, and the operator's log counts
// what could not be posted, spilled lines included.
func TestShutdownDuringAFloodIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{gate: make(chan struct{})} // Discord never answers in time
		var logs strings.Builder
		h := newHarness(t, rec, []Option{WithMemoryCap(64<<10, 0), WithDataDir(t.TempDir()),
			WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))})
		for i := range 5000 {
			h.lines(fmt.Sprintf("line %05d %s", i, strings.Repeat("-", 60)))
		}
		synctest.Wait()
		require.Positive(t, h.hub.Stats(testChannel).OnDisk)
		h.cancel()
		<-h.done
		synctest.Wait()
		h.clock.Advance(DefaultDrainTimeout)
		h.hub.Wait() // returns: the drain is bounded by the timeout
		st := h.hub.Stats(testChannel)
		assert.Equal(t, 5000, st.Lines)
		assert.Equal(t, st.Lines, st.Accounted())
		assert.Zero(t, st.Pending+st.OnDisk)
		assert.Positive(t, st.Dropped)
		assert.Contains(t, logs.String(), "console relay stopped before the channel was told everything")
		assert.Regexp(t, `lines_unposted=\d+ .*unposted_on_disk=\d+`, logs.String())
	})
}
