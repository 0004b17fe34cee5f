package shardlyn

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	api "github.com/panelbot/panelbot/internal/panel/shardlyn"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

// fakeSocketer is a Socketer whose behaviour each test sets.
type fakeSocketer struct {
	LogSocketFn func(ctx context.Context, id string) (api.Socket, error)
}

func (f fakeSocketer) LogSocket(ctx context.Context, id string) (api.Socket, error) {
	if f.LogSocketFn == nil {
		return api.Socket{}, errors.New("no socket")
	}
	return f.LogSocketFn(ctx, id)
}
func (fakeSocketer) SocketRefused(api.Socket) {}
func (fakeSocketer) SocketRenewable() bool    { return false }

// harness runs one Stream against a simulator and collects its events.
type harness struct {
	t      *testing.T
	sim    *shardsim.Sim
	clk    *shardsim.Clock
	client *api.Client
	events chanSink
	done   chan error
	cancel context.CancelFunc
	sleeps chan time.Duration
}

const instanceID = "i-1"

func start(t *testing.T, password bool, opts []Option, simOpts ...shardsim.Option) *harness {
	t.Helper()
	clk := shardsim.NewClock()
	simOpts = append([]shardsim.Option{shardsim.WithClock(clk.Now),
		shardsim.WithInstances(shardsim.Instance{ID: instanceID, Status: "running"})}, simOpts...)
	sim := shardsim.New(t, simOpts...)
	auth := api.APIToken(sim.APIToken())
	if password {
		auth = api.Password(sim.Email(), sim.Password())
	}
	client, err := api.New(sim.URL(), auth, api.WithClock(clk.Now), api.WithSleep(clk.Sleep))
	require.NoError(t, err)
	h := &harness{t: t, sim: sim, clk: clk, client: client, events: make(chanSink, 4096),
		done: make(chan error, 1), sleeps: make(chan time.Duration, 100)}
	base := []Option{
		WithBackoff(func(attempt int) time.Duration { return time.Duration(attempt+1) * time.Second }),
		WithSleep(func(ctx context.Context, d time.Duration) error { h.sleeps <- d; return ctx.Err() }),
		WithClock(clk.Now),
	}
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
		select { // the sink is buffered: what was handed over before the end comes first
		case ev := <-h.events:
			h.done <- err
			return ev
		default:
		}
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

// connected waits until the simulator streams live lines to the source,
// for tests that run without replay.
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

func TestStreamRelaysLines(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "before connect") // replayed on connect
	h.expect("line:before connect")
	h.sim.Emit(instanceID, "one", "two\nthree")
	h.expect("line:one", "line:two", "line:three")
	assert.Equal(t, shardsim.AuthAPIToken, h.sim.Requests()[0].Auth)
}

func TestStreamSurvivesAccessTokenExpiry(t *testing.T) {
	h := start(t, true, nil)
	h.sim.Emit(instanceID, "a", "b")
	h.expect("line:a", "line:b")

	h.clk.Advance(shardsim.AccessTokenTTL + time.Second)
	h.sim.Emit(instanceID, "c") // the socket is closed for the expired token instead
	h.expect("line:c")          // after reconnecting with a fresh token; a and b not again
	h.sim.Emit(instanceID, "d")
	h.expect("line:d")
	h.quiet()

	assert.Equal(t, 1, h.sim.Count(http.MethodPost, "/v1/auth/login"))
	assert.Equal(t, 1, h.sim.Count(http.MethodPost, "/v1/auth/refresh"))
	assert.Equal(t, 2, h.sim.Count(http.MethodGet, "/v1/instances/i-1/logs"))
	assert.Empty(t, h.sleeps, "an expired token is renewed at once, without backoff")
}

func TestStreamSurvivesTwoExpiriesInARow(t *testing.T) {
	h := start(t, true, nil)
	for i, line := range []string{"x", "y", "z"} {
		if i > 0 {
			h.clk.Advance(shardsim.AccessTokenTTL)
		}
		h.sim.Emit(instanceID, line)
		h.expect("line:" + line)
	}
	assert.Equal(t, 2, h.sim.Count(http.MethodPost, "/v1/auth/refresh"))
}

func TestStreamReconnectsAfterADrop(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "a", "b")
	h.expect("line:a", "line:b")
	h.sim.Drop(instanceID)
	h.expect("notice:Lost the connection to the Shardlyn console; reconnecting.")
	assert.Equal(t, time.Second, <-h.sleeps, "first backoff step")
	h.sim.Emit(instanceID, "c")
	h.expect("notice:Reconnected to the Shardlyn console.", "line:c")
	h.sim.Emit(instanceID, "d")
	h.expect("line:d")
}

func TestStreamHoldsAPossibleReplayOnlyUntilQuiet(t *testing.T) {
	fire := make(chan time.Time)
	h := start(t, false, []Option{WithQuiet(time.Second, func(time.Duration) <-chan time.Time { return fire })},
		shardsim.WithReplay(0))
	h.connected()
	h.sim.Emit(instanceID, "a", "b")
	h.expect("line:a", "line:b")
	h.sim.Drop(instanceID)
	h.expect("notice:Lost the connection to the Shardlyn console; reconnecting.")
	<-h.sleeps
	h.expect("notice:Reconnected to the Shardlyn console.")
	h.connected()
	h.sim.Emit(instanceID, "a") // a genuinely new line that looks like the start of a replay
	h.quiet()
	fire <- time.Time{}
	h.expect("line:a")
}

func TestStreamStopsWhenTheInstanceIsGone(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "a")
	h.expect("line:a")
	h.sim.RemoveInstance(instanceID)
	h.expect("notice:Lost the connection to the Shardlyn console; reconnecting.")
	<-h.sleeps
	h.expect("notice:The console relay stopped: Shardlyn no longer has this instance.")
	require.ErrorIs(t, <-h.done, panel.ErrNotFound)
	h.done <- context.Canceled // for the cleanup check
}

func TestStreamStopsWhenTheAPITokenIsRevoked(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "a")
	h.expect("line:a")
	h.sim.RevokeAPIToken()
	h.sim.Drop(instanceID)
	h.expect("notice:Lost the connection to the Shardlyn console; reconnecting.")
	<-h.sleeps
	ev := h.next()
	assert.Equal(t, "notice", ev.Kind)
	assert.Contains(t, ev.Text, "refused the bot's credentials")
	require.ErrorIs(t, <-h.done, panel.ErrUnauthorized)
	h.done <- context.Canceled
}

func TestStreamStopsOnMFA(t *testing.T) {
	h := start(t, true, nil, shardsim.WithMFA(shardsim.DefaultEmail))
	ev := h.next()
	assert.Equal(t, "notice", ev.Kind)
	assert.Contains(t, ev.Text, "requires MFA")
	require.ErrorIs(t, <-h.done, panel.ErrConfig)
	h.done <- context.Canceled
}

func TestStreamKeepsRetryingWhileThePanelIsDown(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "a")
	h.expect("line:a")
	h.sim.SetDown(true)
	h.sim.Drop(instanceID)
	h.expect("notice:Lost the connection to the Shardlyn console; reconnecting.")
	for want := 1; want <= 3; want++ {
		assert.Equal(t, time.Duration(want)*time.Second, <-h.sleeps, "growing backoff, one notice")
	}
	h.sim.SetDown(false)
	h.expect("notice:Reconnected to the Shardlyn console.")
	h.sim.Emit(instanceID, "b")
	h.expect("line:b")
}

func TestStreamCountsLinesASlowConsumerMissed(t *testing.T) {
	h := start(t, false, []Option{WithQueueSize(4)})
	h.sim.Emit(instanceID, "start")
	h.expect("line:start")
	const n = 300
	for i := range n {
		h.sim.Emit(instanceID, itoa(i))
	}
	h.sim.Emit(instanceID, "end")
	lines, skipped, last := 0, 0, -1
	for {
		ev := h.next()
		if ev.Kind == "notice" {
			var k int
			_, err := fmtSscanf(ev.Text, &k)
			require.NoError(t, err, ev.Text)
			skipped += k
			continue
		}
		if ev.Text == "end" {
			break
		}
		v := atoi(t, ev.Text)
		require.Greater(t, v, last, "in order, never twice")
		last = v
		lines++
	}
	assert.Equal(t, n, lines+skipped, "every line delivered or counted")
}

func TestNewValidates(t *testing.T) {
	_, err := New(nil, "i-1")
	assert.Error(t, err)
	_, err = New(fakeSocketer{}, "")
	assert.Error(t, err)
	_, err = New(fakeSocketer{}, "i-1", WithQueueSize(0))
	assert.Error(t, err)
}

// TestStreamLeavesNoGoroutine: every goroutine of a stream (its
// connection's reader and writer included) ends with the stream's context.
func TestStreamLeavesNoGoroutine(t *testing.T) {
	h := start(t, true, nil)
	h.sim.Emit(instanceID, "a")
	h.expect("line:a")
	h.cancel()
	require.ErrorIs(t, <-h.done, context.Canceled)
	h.done <- context.Canceled // for the cleanup check
	require.Eventually(t, func() bool {
		buf := make([]byte, 1<<20)
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if strings.Contains(g, "internal/console/shardlyn.(") {
				return false
			}
		}
		return true
	}, 5*time.Second, 2*time.Millisecond, "a goroutine outlived the stream")
}
