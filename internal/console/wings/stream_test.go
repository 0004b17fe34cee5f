package wings

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/console/wings/wingssim"
	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
)

func TestStreamRelaysBacklogLinesStatusAndStats(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(sid, "running")
	h.node.SetUsage(sid, wingssim.Usage{MemoryBytes: 512, MemoryLimitBytes: 1024, CPUAbsolute: 42, RxBytes: 1, TxBytes: 2})
	boot := lineSet("boot", 20)
	h.node.Emit(sid, boot...)
	h.start()
	ev := h.next()
	require.Equal(t, console.KindStatus, ev.Kind)
	assert.Equal(t, panel.StateRunning, ev.State)
	assert.Equal(t, boot, h.lines(20), "the first connection relays the node's replay")
	h.node.Emit(sid, "live")
	assert.Equal(t, []string{"live"}, h.lines(1))

	h.node.Advance(time.Second)
	for ev = h.next(); ev.Kind != console.KindStats; ev = h.next() {
	}
	assert.Equal(t, int64(512), ev.Stats.MemoryBytes)
	res, at, ok := h.stream.Latest()
	require.True(t, ok)
	assert.Equal(t, h.node.Now(), at)
	assert.Equal(t, 42.0, res.CPUPercent)
	assert.Equal(t, time.Second, res.Uptime)

	h.node.SetState(sid, "stopping")
	for ev = h.next(); ev.Kind != console.KindStatus; ev = h.next() {
	}
	assert.Equal(t, panel.StateStopping, ev.State)
	require.True(t, isCanceled(h.stop()))
	assert.Empty(t, h.notices)
	assert.Equal(t, []string{"auth", "send logs"}, h.node.Inbound(sid))
	requireNoLeaks(t)
}

// TestHundredTokenExpiries lets the token expire 100 times; the node then
// silently replaces events with `jwt error`. Every line must arrive once,
// in order, whether it was sent live or recovered from the replay.
func TestHundredTokenExpiries(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithTokenLifetime(20 * time.Second)})
	h.node.SetState(sid, "running")
	boot := lineSet("boot", 150)
	h.node.Emit(sid, boot...)
	h.start()
	require.Equal(t, boot, h.lines(150))
	for i := range 100 {
		live := lineSet("live "+itoa(i), 3)
		h.node.Emit(sid, live...)
		require.Equal(t, live, h.lines(3), "cycle %d", i)
		h.node.Advance(25 * time.Second) // past exp: events become jwt errors
		lost := lineSet("while expired "+itoa(i), 3)
		h.node.Emit(sid, lost...)
		require.Equal(t, lost, h.lines(3), "cycle %d", i)
	}
	assert.Zero(t, h.node.Throttled(), "the node never had to throttle us")
	assert.Equal(t, 1, h.node.Sockets(sid), "all on one socket")
	assert.Empty(t, h.notices)
	assert.GreaterOrEqual(t, h.creds.calls(), 100)
	require.True(t, isCanceled(h.stop()))
	requireNoLeaks(t)
}

func itoa(i int) string { return lineSet("", i+1)[i][1:] }

func TestTokenExpiringReauthsOnTheSameSocketWithoutReplay(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithTokenLifetime(90 * time.Second), wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.node.Emit(sid, "boot")
	h.start()
	require.Equal(t, []string{"boot"}, h.lines(1))
	want := []string{"auth", "send logs"}
	for i := range 4 {
		// 90 s tokens get `token expiring` at the first tick after they are
		// 30 s old: every tick here.
		h.node.Advance(30 * time.Second)
		h.node.Await("the re-auth", func() bool { return h.node.Auths(sid) == i+2 })
		h.node.Emit(sid, "after "+itoa(i))
		require.Equal(t, []string{"after " + itoa(i)}, h.lines(1))
		want = append(want, "auth")
	}
	assert.Equal(t, want, h.node.Inbound(sid), "no replay: nothing was lost")
	assert.Equal(t, 5, h.creds.calls())
	assert.Equal(t, 1, h.node.Sockets(sid))
	assert.Empty(t, h.notices)
}

func TestSilentJWTErrorIsRecovered(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithTokenLifetime(20 * time.Second), wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.start()
	h.node.Emit(sid, "before")
	require.Equal(t, []string{"before"}, h.lines(1))
	h.node.Advance(time.Hour) // no tick announces it: the token just stops working
	h.node.Emit(sid, "during 1", "during 2")
	require.Equal(t, []string{"during 1", "during 2"}, h.lines(2))
	h.node.Await("the state asked for again", func() bool { return h.count("send stats") == 1 })
	assert.Equal(t, []string{"auth", "send logs", "auth", "send logs", "send stats"}, h.node.Inbound(sid))
	assert.Empty(t, h.notices)
}

func TestAbruptDropsLoseAndRepeatNothing(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(sid, "running")
	h.start()
	var want, got []string
	for i := range 5 {
		before := lineSet("before drop "+itoa(i), 4)
		h.node.Emit(sid, before...)
		got = append(got, h.lines(4)...)
		h.node.Drop(sid)
		after := lineSet("after drop "+itoa(i), 4)
		h.node.Emit(sid, after...) // the client may or may not be back yet
		got = append(got, h.lines(4)...)
		want = append(want, append(before, after...)...)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 1, h.creds.calls(), "the cached token is reused on reconnect")
	assert.Empty(t, h.notices)
}

func TestNodeRestartIsRecoveredWithoutDuplicates(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.node.Emit(sid, lineSet("old", 10)...)
	h.start()
	require.Equal(t, lineSet("old", 10), h.lines(10))
	h.node.Restart()
	h.node.Await("the denylisted token", func() bool { return h.count("auth") == 2 })
	h.node.Advance(fetchEvery) // the panel allows the next credentials fetch
	h.node.Await("the fresh token", func() bool { return h.node.Auths(sid) == 2 })
	h.node.Emit(sid, "after restart")
	assert.Equal(t, []string{"after restart"}, h.lines(1))
	assert.Equal(t, 2, h.creds.calls())
	assert.Empty(t, h.notices)
	h.logs.wait(t, "denylist")
}

func TestSuspendedServerGivesUpWithANotice(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(sid, "running")
	h.start()
	h.node.Emit(sid, "x")
	require.Equal(t, []string{"x"}, h.lines(1))
	h.node.Suspend(sid) // the live socket drops; the reconnect gets 4409
	for !strings.Contains(h.notice(), "suspended") {
	}
	err := h.ended()
	require.ErrorIs(t, err, panel.ErrConflict)
	assert.Contains(t, panel.UserMessage(err), "suspended")
	requireNoLeaks(t)
}

func TestCredentialRefusalsGiveUp(t *testing.T) {
	for _, c := range []struct {
		status int
		kind   error
		says   string
	}{
		{401, panel.ErrUnauthorized, "API key"},
		{403, panel.ErrForbidden, "permission"},
		{404, panel.ErrNotFound, "no longer knows"},
	} {
		t.Run(c.kind.Error(), func(t *testing.T) {
			h := newHarness(t, nil)
			h.node.SetState(sid, "running")
			h.creds.fail = func(int) error { return &panel.Error{Kind: c.kind, Status: c.status, Op: "websocket credentials"} }
			h.start()
			assert.Contains(t, h.notice(), c.says)
			err := h.ended()
			require.ErrorIs(t, err, c.kind)
			assert.Equal(t, 1, h.creds.calls(), "no retry")
			requireNoLeaks(t)
		})
	}
}

func TestWrongOriginGivesUp(t *testing.T) {
	node := wingssim.New(t)
	node.SetState(sid, "running")
	s, err := New(&nodeCreds{n: node}, sid, "https://not-the-panel.example.com", WithClock(node))
	require.NoError(t, err)
	events := make(chan console.Event, 4)
	err = s.Stream(context.Background(), events)
	require.ErrorIs(t, err, panel.ErrConfig)
	ev := <-events
	assert.Equal(t, console.KindNotice, ev.Kind)
	assert.Contains(t, ev.Text, "panel URL")
}

func TestTransientFailuresBackOffThenRecover(t *testing.T) {
	var attempts []int
	h := newHarness(t, nil, WithBackoff(func(a int) time.Duration { attempts = append(attempts, a); return 0 }))
	h.node.SetState(sid, "running")
	h.creds.fail = func(call int) error {
		if call < 3 {
			return &panel.Error{Kind: panel.ErrUnavailable, Status: 502}
		}
		return nil
	}
	h.start()
	for range 3 { // each failed fetch spaces the next by the panel's limit
		h.node.Await("a fetch waiting on the clock", func() bool { return h.node.Waiters() == 1 })
		h.node.Advance(fetchEvery)
	}
	assert.Contains(t, h.notice(), "unreachable")
	assert.Equal(t, noticeBack, h.notice())
	h.node.Emit(sid, "hello")
	assert.Equal(t, []string{"hello"}, h.lines(1))
	assert.Equal(t, []int{0, 1, 2}, attempts)
	assert.Len(t, h.notices, 2, "one notice down, one back up")
}

func TestBackoffResetsAfterAHealthySession(t *testing.T) {
	attempts := make(chan int, 10)
	h := newHarness(t, []wingssim.Option{wingssim.WithStatsEvery(0)}, WithBackoff(func(a int) time.Duration { attempts <- a; return 0 }))
	h.node.SetState(sid, "running")
	h.start()
	h.node.Await("auth", func() bool { return h.node.Auths(sid) == 1 })
	h.node.Drop(sid)
	assert.Equal(t, 0, <-attempts)
	h.node.Await("auth", func() bool { return h.node.Auths(sid) == 2 })
	h.node.Drop(sid) // short session: the backoff grows
	assert.Equal(t, 1, <-attempts)
	h.node.Await("auth", func() bool { return h.node.Auths(sid) == 3 })
	h.waitConnected()
	h.node.Advance(2 * time.Minute)
	h.node.Drop(sid) // after a healthy session it starts over
	assert.Equal(t, 0, <-attempts)
}

func TestThrottledMakesTheWriterBackOff(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.start()
	h.waitConnected()
	h.node.Inject(sid, "throttled", "global")
	h.logs.wait(t, "throttled the console connection")
	require.NoError(t, h.stream.Send(context.Background(), "say hi"))
	h.node.Await("the paused writer", func() bool { return h.node.Waiters() == 1 })
	assert.Empty(t, h.node.Commands(sid), "held back during the pause")
	h.node.Advance(time.Second)
	h.node.Await("the command", func() bool { return len(h.node.Commands(sid)) == 1 })
}

func TestThrottledReplayIsReportedAsAPossibleGap(t *testing.T) {
	s, err := New(fakeCreds{}, sid, "https://panel.example.com", WithClock(manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))))
	require.NoError(t, err)
	q := newQueue(64, s.clock)
	r := &run{s: s, q: q, lines: newLineSink(q, s.clock, s.backlog)}
	r.lines.line("seen", s.clock.Now())
	r.lines.startHold()
	r.lines.line("live", s.clock.Now())
	ss := &session{r: r, c: &conn{}}
	ss.onThrottled("send logs")
	got := drain(q)
	require.Len(t, got, 3)
	assert.Equal(t, "live", got[1].Text, "the held line is relayed")
	assert.Equal(t, noticeNoReplay, got[2].Text)
	assert.True(t, time.Unix(0, ss.c.pauseUntil.Load()).After(s.clock.Now()), "the writer pauses")
}

// TestCommandsRespectTheNodeLimits sends 30 commands as fast as Send lets
// it. Virtual time moves only while the client waits on the clock, with no
// frame in flight, as a real clock cannot run ahead of the network: what the
// node sees is then exactly the pace the client chose.
func TestCommandsRespectTheNodeLimits(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.start()
	h.waitConnected()
	var want []string
	for i := range 30 {
		cmd := "say " + itoa(i)
		want = append(want, cmd)
		done := make(chan error, 1)
		go func() { done <- h.stream.Send(t.Context(), cmd) }()
		for len(h.node.Commands(sid)) <= i {
			h.node.Await("the command or a wait on the clock", func() bool {
				return len(h.node.Commands(sid)) > i || h.node.Waiters() > 0
			})
			if h.node.Waiters() > 0 {
				h.node.Advance(50 * time.Millisecond)
			}
		}
		require.NoError(t, <-done)
	}
	assert.Equal(t, want, h.node.Commands(sid))
	assert.Zero(t, h.node.Throttled())
	assert.Greater(t, h.node.Now().Sub(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)), 20*time.Second,
		"beyond the burst, commands were paced")
}

func TestSendRefusesWhatCannotWork(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	require.ErrorIs(t, h.stream.Send(ctx, "say hi"), panel.ErrUnavailable, "not connected")
	h.node.SetState(sid, "offline")
	h.start()
	h.waitConnected()
	require.ErrorIs(t, h.stream.Send(ctx, "say hi"), panel.ErrOffline)
	require.ErrorIs(t, h.stream.Send(ctx, "a\nb"), panel.ErrInvalid)
}

func TestSecondStreamIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(sid, "offline")
	h.start()
	h.node.Await("auth", func() bool { return h.node.Auths(sid) == 1 })
	assert.Error(t, h.stream.Stream(context.Background(), make(chan console.Event)))
}

func TestOddEventsAreRelayedOrIgnored(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.start()
	h.node.Await("auth", func() bool { return h.node.Auths(sid) == 1 })
	h.node.InjectRaw(sid, []byte(`this is not json`))
	h.node.InjectRaw(sid, []byte(`{"event":"console output","args":[1]}`))
	h.node.Inject(sid, "feature match", `{"x":1}`)
	h.node.Inject(sid, "stats", `{"memory_bytes":"lots"}`)
	h.node.Inject(sid, "daemon message", "pulling image")
	h.node.Inject(sid, "install started")
	h.node.Emit(sid, "normal")
	assert.Equal(t, []string{"[daemon] pulling image", "normal"}, h.lines(2))
	assert.Equal(t, []string{noticeInstallStarted}, h.notices)
	_, _, ok := h.stream.Latest()
	assert.False(t, ok, "unreadable stats are ignored")
}

func TestStatusIsRelayedOnlyOnChange(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.start()
	assert.Equal(t, console.KindStatus, h.next().Kind)
	h.node.Drop(sid) // the node repeats "running" after the reconnect
	h.node.Await("reconnect", func() bool { return h.node.Auths(sid) == 2 })
	h.node.Emit(sid, "line")
	ev := h.next()
	assert.Equal(t, console.KindLine, ev.Kind, "no second status event")
}

func TestSlowConsumerNeverStallsTheSocket(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithStatsEvery(0)}, WithQueueSize(16))
	h.node.SetState(sid, "running")
	h.node.Emit(sid, "ready")
	h.start()
	require.Equal(t, []string{"ready"}, h.lines(1)) // the first replay is over
	lines := lineSet("burst", 100)
	h.node.Emit(sid, lines...)
	h.node.Inject(sid, "stats", `{"memory_bytes":4242}`) // a marker behind the lines
	require.Eventually(t, func() bool { res, _, ok := h.stream.Latest(); return ok && res.MemoryBytes == 4242 },
		10*time.Second, time.Millisecond, "the reader went on although nobody read the events")
	var got []string
	dropped := 0
	for len(got)+dropped < 100 {
		ev := h.next()
		switch ev.Kind {
		case console.KindLine:
			got = append(got, ev.Text)
		case console.KindNotice:
			var n int
			_, err := fmtSscanf(ev.Text, &n)
			require.NoError(t, err, ev.Text)
			dropped += n
		}
	}
	assert.Equal(t, 100, len(got)+dropped)
	assert.Positive(t, dropped)
	// The pump may hold one older line in hand; all the others are the newest.
	assert.Equal(t, lines[100-len(got)+1:], got[1:], "the newest lines survive, in order")
	assert.Less(t, slices.Index(lines, got[0]), 100-len(got)+1)
	// (No check of the node's own drops here: the harness raises its stall
	// timeout to a minute, so it could never fail. The marker read above
	// while nobody consumed is the proof that the reader never waited.)
}

func TestNoTokenInLogsOrErrors(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithTokenLifetime(20 * time.Second)})
	h.node.SetState(sid, "running")
	h.start()
	h.node.Emit(sid, "a")
	h.lines(1)
	h.node.InjectRaw(sid, []byte("not json")) // a debug log line
	h.node.Advance(30 * time.Second)
	h.node.Emit(sid, "b")
	h.lines(1)
	h.node.Restart()
	h.node.Await("the denylisted token", func() bool { return h.count("auth") == 3 })
	h.node.Advance(fetchEvery)
	h.node.Emit(sid, "c")
	h.lines(1)
	h.creds.fail = func(int) error { return &panel.Error{Kind: panel.ErrForbidden, Status: 403} }
	h.node.Advance(time.Hour) // token expired: the refresh is refused for good
	h.node.Emit(sid, "d")
	err := h.ended()
	require.ErrorIs(t, err, panel.ErrForbidden)
	logs := h.logs.String()
	require.Contains(t, logs, "level=DEBUG")
	for _, tok := range h.creds.issued() {
		if tok == "" {
			continue
		}
		assert.NotContains(t, logs, tok)
		assert.NotContains(t, logs, tok[len(tok)-20:], "not even the signature")
		assert.NotContains(t, err.Error(), tok)
	}
}

func TestAuthTimeoutReconnectsWithAFreshToken(t *testing.T) {
	var conns atomic.Int32
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		conns.Add(1)
		for { // reads, never answers
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	clock := manualclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	fetches := 0
	src := fakeCreds{fn: func(context.Context, string) (panel.SocketCredentials, error) {
		fetches++
		return panel.SocketCredentials{URL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws", Token: "t"}, nil
	}}
	s, err := New(src, sid, "https://panel.example.com", WithClock(clock), WithAuthTimeout(20*time.Millisecond),
		WithBackoff(func(int) time.Duration { return 0 }), WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Stream(ctx, make(chan console.Event, 16)) }()
	require.Eventually(t, func() bool {
		if clock.Pending() > 0 { // the next fetch waits for the panel's limit
			clock.Advance(fetchEvery)
		}
		return conns.Load() >= 3
	}, 10*time.Second, time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	assert.GreaterOrEqual(t, fetches, 3, "each attempt fetched a new token")
	requireNoLeaks(t)
}

func TestPelicanNode(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithPelican(), wingssim.WithTokenLifetime(20 * time.Second), wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.node.Emit(sid, "boot")
	h.start()
	require.Equal(t, []string{"boot"}, h.lines(1))
	h.node.Advance(time.Minute)
	h.node.Emit(sid, "after expiry")
	require.Equal(t, []string{"after expiry"}, h.lines(1))
	assert.Empty(t, h.notices)
}

// A node that refuses even a freshly fetched token (here: a token without
// the connect permission) must not be re-authenticated on the same socket
// forever: the stream reconnects with backoff and the channel is told.
func TestRefusedFreshTokenReconnectsAndSaysSo(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithPermissions("control.console"), wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.start()
	// The cached token is refused: one refresh on the same socket, waiting
	// for the panel's fetch limit.
	h.node.Await("the refresh waiting for the panel's limit", func() bool { return h.node.Waiters() == 1 })
	h.node.Advance(fetchEvery)
	assert.Contains(t, h.notice(), "unreachable", "the fresh token is refused too: reconnect and say so")
	h.node.Await("the reconnect's fetch", func() bool { return h.node.Waiters() == 1 && h.node.Sockets(sid) == 0 })
	h.node.Advance(fetchEvery)
	h.node.Await("the auth on a new socket", func() bool { return h.count("auth") == 3 })
	assert.Zero(t, h.node.Auths(sid))
	assert.Equal(t, 3, h.creds.calls(), "one fetch per attempt, spaced by the panel's limit")
	require.True(t, isCanceled(h.stop()))
	requireNoLeaks(t)
}

// After expiry the node replaces `status` with `jwt error` too, and a re-auth
// on the same socket brings no status: a change made meanwhile must still
// reach the channel, and Send must know the server is offline.
func TestStatusChangedWhileTokenExpiredIsRecovered(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithTokenLifetime(20 * time.Second), wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "running")
	h.start()
	ev := h.next()
	require.Equal(t, console.KindStatus, ev.Kind)
	require.Equal(t, panel.StateRunning, ev.State)
	h.waitConnected()
	h.node.Advance(25 * time.Second) // past exp, before the first tick: silent
	h.node.SetState(sid, "offline")  // `status` and `stats` become jwt errors
	for ev = h.next(); ev.Kind != console.KindStatus; ev = h.next() {
		require.NotEqual(t, console.KindLine, ev.Kind)
	}
	assert.Equal(t, panel.StateOffline, ev.State)
	require.ErrorIs(t, h.stream.Send(context.Background(), "say hi"), panel.ErrOffline)
	assert.Equal(t, 2, h.node.Auths(sid), "recovered on the same socket")
}

// A server that starts while the token is expired: its `status` and first
// lines become jwt errors. The stale "offline" must not stop the re-auth from
// asking for the replay that recovers those lines.
func TestLinesOfAStartDuringExpiryAreRecovered(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithTokenLifetime(5 * time.Second), wingssim.WithStatsEvery(0)})
	h.node.SetState(sid, "offline")
	h.start()
	h.waitConnected()
	h.node.Advance(6 * time.Second) // silently expired; the next fetch must wait for the panel's limit
	h.node.SetState(sid, "running")
	h.node.Emit(sid, "boot 1", "boot 2")
	h.node.Await("the refresh waiting for the panel's limit", func() bool { return h.node.Waiters() == 1 })
	h.node.Advance(fetchEvery)
	assert.Equal(t, []string{"boot 1", "boot 2"}, h.lines(2))
	assert.Equal(t, 2, h.node.Auths(sid))
	assert.Empty(t, h.notices)
}
