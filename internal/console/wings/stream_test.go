package wings

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console/wings/wingssim"
	"github.com/panelbot/panelbot/internal/panel"
)

// emitter writes numbered lines to the node, one per call of next.
type emitter struct {
	h *harness
	n int
}

func (e *emitter) next() string {
	l := fmt.Sprintf("line %d", e.n)
	e.h.node.Emit(uuid, l)
	e.n++
	return l
}

// TestBusyServerAtFirstConnect: a server already writing when the relay
// first connects has every line after the connection relayed exactly once,
// in order, with no hold and no notice.
func TestBusyServerAtFirstConnect(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(uuid, "running")
	e := &emitter{h: h}
	stop := make(chan struct{})
	emitted := make(chan int)
	go func() { // the server writes on, as the relay connects
		pace := time.NewTicker(time.Millisecond) // a busy server, not a flood
		defer pace.Stop()
		for {
			select {
			case <-stop:
				emitted <- e.n
				return
			case <-pace.C:
				e.next()
			}
			if e.n%30 == 0 {
				h.node.Advance(time.Second)
			}
		}
	}()
	h.start()
	h.waitConnected()
	require.Eventually(t, func() bool { l, _ := h.sink.got(); return len(l) > 200 }, wait, tick)
	close(stop)
	last := <-emitted - 1
	h.waitLine(fmt.Sprintf("line %d", last))
	lines, notices := h.sink.got()
	first := lines[0]
	var n int
	_, _ = fmt.Sscanf(first, "line %d", &n)
	requireExactlyOnceInOrder(t, lines, "line ", n, last)
	assert.Empty(t, notices)
	assert.Zero(t, h.node.Dropped(), "the node dropped nothing for a slow reader")
	require.True(t, isCanceled(h.stop()))
}

// TestNothingButAuthBeforeAuthSuccess: the node handles frames
// concurrently, so anything sent before `auth success` would be refused.
func TestNothingButAuthBeforeAuthSuccess(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(uuid, "running")
	h.start()
	h.waitConnected()
	h.node.Emit(uuid, "hello")
	h.waitLine("hello")
	in := h.node.Inbound(uuid)
	require.NotEmpty(t, in)
	assert.Equal(t, "auth", in[0])
	for _, ev := range in[1:] {
		assert.NotEqual(t, "send logs", ev, "no replay at a first connect: nothing was missed")
	}
}

// TestTokensRenewedBeforeExpiry: 3-second tokens, no warnings from the
// node; each is replaced before its exp, so nothing is lost, repeated, or
// said to be missing.
func TestTokensRenewedBeforeExpiry(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithTokenLifetime(3 * time.Second)})
	h.node.SetState(uuid, "running")
	h.start()
	h.waitConnected()
	e := &emitter{h: h}
	startAuths := h.node.Auths(uuid)
	for h.node.Auths(uuid)-startAuths < 20 {
		l := e.next()
		h.node.Advance(250 * time.Millisecond)
		h.waitLine(l)
	}
	lines, notices := h.sink.got()
	requireExactlyOnceInOrder(t, lines, "line ", 0, e.n-1)
	assert.Empty(t, notices)
	assert.Less(t, h.creds.calls(), 3*(h.node.Auths(uuid)-startAuths)+2, "one fetch per renewal")
}

// TestAbruptDrops: the node cuts the connection every 6 s; the relay is
// back within 2 s of simulated time, and the lines written meanwhile are
// recovered from the replay, none twice.
func TestAbruptDrops(t *testing.T) {
	for name, opts := range map[string][]wingssim.Option{"pterodactyl": nil, "pelican": {wingssim.WithPelican()}} {
		t.Run(name, func(t *testing.T) { testAbruptDrops(t, opts) })
	}
}

func testAbruptDrops(t *testing.T, nodeOpts []wingssim.Option) {
	h := newHarness(t, nodeOpts)
	h.node.SetState(uuid, "running")
	h.start()
	h.waitConnected()
	e := &emitter{h: h}
	var worst time.Duration
	for range 20 {
		for range 6 {
			h.waitLine(e.next())
			h.node.Advance(time.Second)
		}
		before := h.node.Auths(uuid)
		h.node.Drop(uuid)
		missed := e.next() // written while nobody listens
		took := h.advanceUntil(100*time.Millisecond, 10*time.Second, func() bool { return h.node.Auths(uuid) > before })
		worst = max(worst, took)
		h.relayed(missed)
	}
	h.waitLine(e.next())
	lines, notices := h.sink.got()
	requireExactlyOnceInOrder(t, lines, "line ", 0, e.n-1)
	assert.Empty(t, notices, "a replay that reaches back is no gap")
	assert.LessOrEqual(t, worst, 2*time.Second, "reconnect time")
}

// TestNodeRestartDenylist: after a node restart the cached token is
// refused as denylisted; one fresh token on the same socket recovers.
func TestNodeRestartDenylist(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(uuid, "running")
	h.start()
	h.waitConnected()
	e := &emitter{h: h}
	h.waitLine(e.next())
	h.node.Advance(time.Minute) // the cached token is still usable
	before := h.node.Auths(uuid)
	h.node.Restart()
	l := e.next()
	// Streaming again: the node accepted a token once more (the cached one
	// is denylisted, so a fresh one on the same socket).
	took := h.advanceUntil(100*time.Millisecond, 3*time.Second, func() bool { return h.node.Auths(uuid) > before })
	assert.LessOrEqual(t, took, 3*time.Second)
	h.relayed(l)
	h.relayed(e.next())
	lines, _ := h.sink.got()
	requireExactlyOnceInOrder(t, lines, "line ", 0, e.n-1)
}

// TestPanelWebsocketEndpointFailing: while the panel cannot hand out
// credentials the relay retries with backoff, says so once, and recovers by
// itself.
func TestPanelWebsocketEndpointFailing(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(uuid, "running")
	h.start()
	h.waitConnected()
	e := &emitter{h: h}
	h.waitLine(e.next())
	h.creds.setFail(&panel.Error{Class: panel.ErrUnavailable, Op: "websocket credentials", Status: 502})
	h.node.Advance(11 * time.Minute) // the cached token runs out
	h.node.Drop(uuid)
	h.advanceUntil(time.Second, 20*time.Second, func() bool { _, n := h.sink.got(); return len(n) > 0 })
	h.node.Advance(20 * time.Second)
	h.creds.setFail(nil)
	h.advanceUntil(time.Second, 2*time.Minute, func() bool { return h.stream.cur.Load() != nil })
	h.relayed(e.next())
	_, notices := h.sink.got()
	assert.Equal(t, []string{noticeDown, noticeBack}, notices[:2])
}

func TestPermanentFailuresEndWithANotice(t *testing.T) {
	for name, tc := range map[string]struct {
		setup func(h *harness)
		kind  error
	}{
		"origin refused":   {func(h *harness) { h.stream.origin = "https://other.example.com" }, panel.ErrConfig},
		"key refused":      {func(h *harness) { h.creds.setFail(&panel.Error{Class: panel.ErrUnauthorized, Status: 401}) }, panel.ErrUnauthorized},
		"server suspended": {func(h *harness) { h.node.Suspend(uuid) }, panel.ErrConflict},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, []wingssim.Option{wingssim.WithPelican()})
			tc.setup(h)
			h.start()
			err := h.ended()
			require.ErrorIs(t, err, tc.kind)
			_, notices := h.sink.got()
			require.NotEmpty(t, notices)
			assert.Equal(t, panel.UserMessage(err), notices[len(notices)-1])
		})
	}
}

func TestSendCommand(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(uuid, "running")
	h.start()
	h.waitConnected()
	require.NoError(t, h.stream.Send(t.Context(), "say hi"))
	require.Eventually(t, func() bool { return len(h.node.Commands(uuid)) == 1 }, wait, tick)
	assert.Equal(t, []string{"say hi"}, h.node.Commands(uuid))

	assert.ErrorIs(t, h.stream.Send(t.Context(), "say a\nstop"), panel.ErrInvalid)
	assert.ErrorIs(t, h.stream.Send(t.Context(), strings.Repeat("x", 4090)), panel.ErrInvalid)

	h.node.SetState(uuid, "offline")
	require.Eventually(t, func() bool {
		return h.stream.Send(t.Context(), "say hi") != nil
	}, wait, tick)
	assert.ErrorIs(t, h.stream.Send(t.Context(), "say hi"), panel.ErrOffline)
}

func TestSendWhileDisconnected(t *testing.T) {
	h := newHarness(t, nil)
	assert.ErrorIs(t, h.stream.Send(t.Context(), "say hi"), panel.ErrUnavailable)
}

func TestStatusAndStatsReachTheSink(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(uuid, "running")
	h.start()
	h.waitConnected()
	h.advanceUntil(time.Second, 10*time.Second, func() bool { h.sink.mu.Lock(); defer h.sink.mu.Unlock(); return h.sink.stats > 0 })
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	assert.Contains(t, h.sink.states, panel.StateRunning)
}

// TestTokensRenewedWithWarnings: 60 renewals of 3-second tokens, the node
// also warning `token expiring` now and then; a warning and the client's
// own renewal never cost a line or a false notice.
func TestTokensRenewedWithWarnings(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithTokenLifetime(3 * time.Second)})
	h.node.SetState(uuid, "running")
	h.start()
	h.waitConnected()
	e := &emitter{h: h}
	startAuths := h.node.Auths(uuid)
	for i := 0; h.node.Auths(uuid)-startAuths < 60; i++ {
		if i%3 == 0 {
			h.node.Inject(uuid, "token expiring")
		}
		l := e.next()
		h.node.Advance(250 * time.Millisecond)
		h.relayed(l)
	}
	lines, notices := h.sink.got()
	requireExactlyOnceInOrder(t, lines, "line ", 0, e.n-1)
	assert.Empty(t, notices)
}

// TestExpiredTokenRecovered: when no new token can be had in time, the
// node replaces every event with a jwt error; once the panel answers again
// the token is renewed on the same socket and the replay brings back what
// the errors replaced, with no duplicate.
func TestExpiredTokenRecovered(t *testing.T) {
	h := newHarness(t, []wingssim.Option{wingssim.WithTokenLifetime(3 * time.Second)})
	h.node.SetState(uuid, "running")
	h.start()
	h.waitConnected()
	e := &emitter{h: h}
	h.waitLine(e.next())
	h.creds.setFail(&panel.Error{Class: panel.ErrUnavailable, Status: 502})
	h.node.Advance(5 * time.Second) // past exp: events become jwt errors
	lost := []string{e.next(), e.next()}
	require.Eventually(t, func() bool { return len(h.node.JWTErrors(uuid)) > 0 }, wait, tick)
	h.creds.setFail(nil)
	h.relayed(lost[1])
	h.relayed(e.next())
	lines, _ := h.sink.got()
	requireExactlyOnceInOrder(t, lines, "line ", 0, e.n-1)
}

// TestBusyServerThirtyLinesASecond: the node writes 30 lines a second on
// its clock from before the relay connects; every line from the first
// relayed one on arrives once, in order.
func TestBusyServerThirtyLinesASecond(t *testing.T) {
	h := newHarness(t, nil)
	h.node.SetState(uuid, "running")
	gen := h.node.StreamLines(uuid, 30, "line %d")
	h.node.Advance(2 * time.Second)
	h.start()
	for range 60 { // the first two seconds after connecting, in small steps
		h.node.Advance(33 * time.Millisecond)
	}
	h.waitConnected()
	for range 30 {
		h.node.Advance(100 * time.Millisecond)
	}
	gen.Stop()
	h.relayed(fmt.Sprintf("line %d", gen.Lines()))
	lines, notices := h.sink.got()
	var first, last int
	_, _ = fmt.Sscanf(lines[0], "line %d", &first)
	_, _ = fmt.Sscanf(lines[len(lines)-1], "line %d", &last)
	assert.Equal(t, gen.Lines(), last)
	requireExactlyOnceInOrder(t, lines, "line ", first, last)
	assert.Empty(t, notices)
}

// TestARestartRelaysOnlyWhatIsNew: with the lines relayed before a restart
// (from the store), the first connection's replay is aligned with them.
func TestARestartRelaysOnlyWhatIsNew(t *testing.T) {
	var before []string
	for i := range 100 {
		before = append(before, fmt.Sprintf("line %d", i))
	}
	h := newHarness(t, nil, WithTail(before[:90]))
	h.node.SetState(uuid, "running")
	h.node.Emit(uuid, before...) // the node's log: 0…99; 0…89 were relayed before the restart
	h.start()
	h.waitConnected()
	require.Eventually(t, func() bool { return h.node.ReplayedLines(uuid) >= 100 }, wait, tick, "the node replays its log")
	e := &emitter{h: h, n: 100}
	h.relayed(e.next())
	lines, notices := h.sink.got()
	requireExactlyOnceInOrder(t, lines, "line ", 90, 100)
	assert.Equal(t, "line 90", lines[0], "nothing relayed twice")
	assert.Empty(t, notices)
}
