package shardlynlog

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
	api "github.com/panelbot/panelbot/internal/panel/shardlyn"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

// event is what a chanSink received: kind "line", "notice", "status" or
// "stats", and the text.
type event struct {
	Kind string
	Text string
}

// chanSink is a console.Sink that queues what it is handed, for tests.
type chanSink chan event

func (c chanSink) Line(text string)        { c <- event{Kind: "line", Text: text} }
func (c chanSink) Notice(text string)      { c <- event{Kind: "notice", Text: text} }
func (c chanSink) Status(st panel.State)   { c <- event{Kind: "status", Text: string(st)} }
func (c chanSink) Stats(r panel.Resources) { c <- event{Kind: "stats"} }

// fakeSocketer is a Socketer that has nothing to offer.
type fakeSocketer struct{}

func (fakeSocketer) LogSocket(context.Context, string) (api.Socket, error) {
	return api.Socket{}, errors.New("no socket")
}
func (fakeSocketer) SocketRefused(api.Socket) {}
func (fakeSocketer) SocketRenewable() bool    { return false }
func (fakeSocketer) LogHistory(context.Context, string) ([]string, error) {
	return nil, errors.New("no history")
}

// waitClock is the shared manual clock, telling the test each wait the
// source starts on it, once the wait can be fired by Advance.
type waitClock struct {
	*manualclock.Clock
	waits chan time.Duration
}

func (c waitClock) After(d time.Duration) <-chan time.Time {
	ch := c.Clock.After(d)
	c.waits <- d
	return ch
}

// testBackoff has no jitter, so each wait is known: 1 s, 2 s, 4 s, 8 s.
var testBackoff = backoff.Policy{Base: time.Second, Max: 8 * time.Second}

// harness runs one Stream against a simulator and collects its events.
type harness struct {
	t      *testing.T
	sim    *shardsim.Sim
	clk    *shardsim.Clock
	events chanSink
	done   chan error
	cancel context.CancelFunc
	waits  chan time.Duration
}

const instanceID = "i-1"

func start(t *testing.T, password bool, opts []Option, simOpts ...shardsim.Option) *harness {
	t.Helper()
	clk := shardsim.NewClock()
	simOpts = append([]shardsim.Option{shardsim.WithClock(clk),
		shardsim.WithInstances(shardsim.Instance{ID: instanceID, Status: "running"})}, simOpts...)
	sim := shardsim.New(t, simOpts...)
	auth := api.APIToken(sim.APIToken())
	if password {
		auth = api.Password(sim.Email(), sim.Password())
	}
	client, err := api.New(sim.URL(), auth, api.WithClock(clk.Now), api.WithSleep(clk.Sleep))
	require.NoError(t, err)
	h := &harness{t: t, sim: sim, clk: clk, events: make(chanSink, 4096), done: make(chan error, 1),
		waits: make(chan time.Duration, 100)}
	base := []Option{WithBackoff(testBackoff), WithClock(waitClock{clk, h.waits}), WithHold(20 * time.Millisecond)}
	src, err := New(client, instanceID, append(base, opts...)...)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- src.Stream(ctx, h.events) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-h.done:
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(5 * time.Second):
			t.Error("Stream did not return after cancel")
		}
	})
	return h
}

// next waits for the next event; the timeout only guards against a hang.
func (h *harness) next() event {
	h.t.Helper()
	select {
	case ev := <-h.events:
		return ev
	case err := <-h.done:
		h.t.Fatalf("stream ended early: %v", err)
	case <-time.After(5 * time.Second):
		h.t.Fatalf("no event within 5 s; requests %v", h.sim.Requests())
	}
	return event{}
}

// expect reads events and compares them as "line:…" / "notice:…".
func (h *harness) expect(want ...string) {
	h.t.Helper()
	for _, w := range want {
		ev := h.next()
		got := "notice:" + ev.Text
		if ev.Kind == "line" {
			got = "line:" + ev.Text
		}
		require.Equal(h.t, w, got)
	}
}

// reconnect lets the source's backoff wait pass once it has started, and
// returns how long it was.
func (h *harness) reconnect() time.Duration {
	h.t.Helper()
	d := h.wait()
	h.clk.Advance(d)
	return d
}

// wait returns the backoff wait the source has started on the clock.
func (h *harness) wait() time.Duration {
	h.t.Helper()
	select {
	case d := <-h.waits:
		return d
	case <-time.After(5 * time.Second):
		h.t.Fatal("the source did not start a backoff wait")
	}
	return 0
}

// connected waits until the simulator streams live lines to the source.
func (h *harness) connected() {
	h.t.Helper()
	require.Eventually(h.t, func() bool { return h.sim.Sockets(instanceID) == 1 }, 5*time.Second, time.Millisecond)
}

func (h *harness) quiet() {
	h.t.Helper()
	select {
	case ev := <-h.events:
		h.t.Fatalf("unexpected event %+v", ev)
	default:
	}
}

// ended expects Stream to have returned an error of kind.
func (h *harness) ended(kind error) {
	h.t.Helper()
	require.ErrorIs(h.t, <-h.done, kind)
	h.done <- context.Canceled // for the cleanup check
}

// noGoroutineLeft fails unless every goroutine of this package has ended.
func noGoroutineLeft(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool {
		buf := make([]byte, 1<<20)
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if strings.Contains(g, "internal/console/shardlynlog.(") {
				return false
			}
		}
		return true
	}, 5*time.Second, 2*time.Millisecond, "a goroutine outlived the stream")
}
