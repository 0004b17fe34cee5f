package wings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/console/wings/wingssim"
	"github.com/panelbot/panelbot/internal/panel"
)

const (
	uuid = "0c9e5d3a-1f1b-4c47-9d5e-2b6f3e8a9c10"
	wait = 10 * time.Second
	tick = 2 * time.Millisecond
)

// nodeCreds hands out the simulated node's tokens as the panel's
// /websocket endpoint would, and can be made to fail.
type nodeCreds struct {
	node *wingssim.Node
	mu   sync.Mutex
	n    int
	fail error
}

func (c *nodeCreds) SocketCredentials(_ context.Context, _ string) (panel.SocketCredentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.fail != nil {
		return panel.SocketCredentials{}, c.fail
	}
	tok, sock, err := c.node.Credentials(uuid)
	return panel.SocketCredentials{URL: sock, Token: tok}, err
}

func (c *nodeCreds) setFail(err error) { c.mu.Lock(); c.fail = err; c.mu.Unlock() }

func (c *nodeCreds) calls() int { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

// recSink records what the stream hands the relay.
type recSink struct {
	mu      sync.Mutex
	lines   []string
	notices []string
	states  []panel.State
	stats   int
}

func (s *recSink) Line(t string)           { s.mu.Lock(); s.lines = append(s.lines, t); s.mu.Unlock() }
func (s *recSink) Notice(t string)         { s.mu.Lock(); s.notices = append(s.notices, t); s.mu.Unlock() }
func (s *recSink) Status(st panel.State)   { s.mu.Lock(); s.states = append(s.states, st); s.mu.Unlock() }
func (s *recSink) Stats(_ panel.Resources) { s.mu.Lock(); s.stats++; s.mu.Unlock() }

func (s *recSink) got() (lines, notices []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...), append([]string(nil), s.notices...)
}

func (s *recSink) has(line string) bool {
	lines, _ := s.got()
	for _, l := range lines {
		if l == line {
			return true
		}
	}
	return false
}

type harness struct {
	t      *testing.T
	node   *wingssim.Node
	creds  *nodeCreds
	sink   *recSink
	stream *Stream
	cancel context.CancelFunc
	done   chan error
}

func newHarness(t *testing.T, nodeOpts []wingssim.Option, opts ...Option) *harness {
	t.Helper()
	node := wingssim.New(t, nodeOpts...)
	h := &harness{t: t, node: node, creds: &nodeCreds{node: node}, sink: &recSink{}, done: make(chan error, 1)}
	// The replay hold runs on the node's hand-moved clock: the longest hold
	// gives a replay crossing real sockets the most real time to arrive
	// while a test moves the clock in steps.
	base := []Option{WithClock(node), WithLogger(slog.New(slog.DiscardHandler)), WithHold(2 * time.Second),
		WithBackoff(backoff.Policy{Base: time.Second, Max: 30 * time.Second, Jitter: 0.5})}
	s, err := New(h.creds, uuid, node.Origin(), append(base, opts...)...)
	require.NoError(t, err)
	h.stream = s
	return h
}

func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.stream.Stream(ctx, h.sink) }()
	h.t.Cleanup(func() { cancel(); <-h.done })
}

// stop ends the stream and returns its error.
func (h *harness) stop() error {
	h.cancel()
	select {
	case err := <-h.done:
		h.done <- err // for the cleanup
		return err
	case <-time.After(wait):
		h.t.Fatal("the stream did not stop")
		return nil
	}
}

// ended waits for the stream to end by itself.
func (h *harness) ended() error {
	select {
	case err := <-h.done:
		h.done <- err
		return err
	case <-time.After(wait):
		h.t.Fatal("the stream did not end")
		return nil
	}
}

// waitConnected waits until a session is authenticated.
func (h *harness) waitConnected() {
	h.t.Helper()
	require.Eventually(h.t, func() bool { return h.stream.cur.Load() != nil }, wait, tick, "never connected")
}

// waitLine waits until the sink has the line.
func (h *harness) waitLine(line string) {
	h.t.Helper()
	require.Eventually(h.t, func() bool { return h.sink.has(line) }, wait, tick, "never relayed %q", line)
}

// relayed waits until line is relayed, moving the node's clock so that a
// replay hold can end.
func (h *harness) relayed(line string) {
	h.t.Helper()
	h.advanceUntil(100*time.Millisecond, 5*time.Second, func() bool { return h.sink.has(line) })
}

// advanceUntil moves the node's clock in steps until cond holds, and says
// how much simulated time that took.
func (h *harness) advanceUntil(step time.Duration, limit time.Duration, cond func() bool) time.Duration {
	h.t.Helper()
	var took time.Duration
	for !cond() {
		require.Less(h.t, took, limit, "not within %s of simulated time", limit)
		h.node.Advance(step)
		took += step
		waitIdle(h, cond)
	}
	return took
}

// waitIdle gives the client's goroutines a moment (in real time, bounded)
// to react to what the last step fired, returning early once cond holds.
func waitIdle(h *harness, cond func() bool) {
	deadline := time.Now().Add(20 * time.Millisecond)
	for time.Now().Before(deadline) && !cond() {
		select {
		case <-time.After(tick):
		case <-h.done:
			h.done <- nil
			return
		}
	}
}

// requireExactlyOnceInOrder checks that lines is from[k:] of numbered
// lines, each once, in order, ending at the last one.
func requireExactlyOnceInOrder(t *testing.T, lines []string, prefix string, first, last int) {
	t.Helper()
	var nums []int
	for _, l := range lines {
		if !strings.HasPrefix(l, prefix) {
			continue
		}
		var n int
		_, err := fmt.Sscanf(strings.TrimPrefix(l, prefix), "%d", &n)
		require.NoError(t, err)
		nums = append(nums, n)
	}
	require.NotEmpty(t, nums)
	require.LessOrEqual(t, nums[0], first, "lines missing at the start")
	for i := 1; i < len(nums); i++ {
		require.Equal(t, nums[i-1]+1, nums[i], "after line %d came %d (duplicate, loss or disorder)", nums[i-1], nums[i])
	}
	require.Equal(t, last, nums[len(nums)-1])
}

func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }
