package wings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/console/wings/wingssim"
	"github.com/panelbot/panelbot/internal/panel"
)

const sid = "0f3a2d1c-aaaa-4bbb-8ccc-000000000001"

// nodeCreds is the in-test Credentialer: the panel side of the simulator.
type nodeCreds struct {
	n      *wingssim.Node
	mu     sync.Mutex
	tokens []string
	fail   func(call int) error // optional: fail the n-th call (0-based)
}

func (c *nodeCreds) SocketCredentials(_ context.Context, id string) (panel.SocketCredentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	call := len(c.tokens)
	c.tokens = append(c.tokens, "")
	if c.fail != nil {
		if err := c.fail(call); err != nil {
			return panel.SocketCredentials{}, err
		}
	}
	tok, sock, err := c.n.Credentials(id)
	c.tokens[call] = tok
	return panel.SocketCredentials{URL: sock, Token: tok}, err
}

func (c *nodeCreds) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.tokens)
}

func (c *nodeCreds) issued() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.tokens...)
}

// logBuf collects log output and lets a test wait for a message.
type logBuf struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{}
}

func newLogBuf() *logBuf { return &logBuf{changed: make(chan struct{})} }

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuf) wait(t *testing.T, substr string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		l.mu.Lock()
		ok, ch := strings.Contains(l.b.String(), substr), l.changed
		l.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("no log line with %q; log:\n%s", substr, l.String())
		}
	}
}

type harness struct {
	t       *testing.T
	node    *wingssim.Node
	creds   *nodeCreds
	stream  *Stream
	events  chan console.Event
	logs    *logBuf
	cancel  context.CancelFunc
	done    chan error
	notices []string
}

// newHarness builds a node and a stream sharing its clock, with no backoff;
// the node's stall timeout is raised so a loaded machine cannot lose lines.
func newHarness(t *testing.T, nodeOpts []wingssim.Option, opts ...Option) *harness {
	t.Helper()
	node := wingssim.New(t, append([]wingssim.Option{wingssim.WithStallTimeout(time.Minute)}, nodeOpts...)...)
	h := &harness{t: t, node: node, creds: &nodeCreds{n: node}, events: make(chan console.Event), logs: newLogBuf(), done: make(chan error, 1)}
	base := []Option{
		WithClock(node), WithBackoff(func(int) time.Duration { return 0 }), WithSettle(100 * time.Millisecond),
		WithLogger(slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
	s, err := New(h.creds, sid, node.Origin(), append(base, opts...)...)
	require.NoError(t, err)
	h.stream = s
	return h
}

func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.stream.Stream(ctx, h.events) }()
	h.t.Cleanup(func() {
		cancel()
		<-h.done
	})
}

// stop cancels the stream and returns what Stream returned.
func (h *harness) stop() error {
	h.t.Helper()
	h.cancel()
	select {
	case err := <-h.done:
		h.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		h.t.Fatal("Stream did not return after cancel")
		return nil
	}
}

// ended waits for Stream to return by itself.
func (h *harness) ended() error {
	h.t.Helper()
	for {
		select {
		case err := <-h.done:
			h.done <- err
			return err
		case ev := <-h.events:
			h.note(ev)
		case <-time.After(10 * time.Second):
			h.t.Fatal("Stream did not return")
			return nil
		}
	}
}

func (h *harness) next() console.Event {
	h.t.Helper()
	select {
	case ev := <-h.events:
		return ev
	case <-time.After(10 * time.Second):
		h.t.Fatalf("no event within 10 s; log:\n%s", h.logs.String())
		return console.Event{}
	}
}

func (h *harness) note(ev console.Event) {
	if ev.Kind == console.KindNotice {
		h.notices = append(h.notices, ev.Text)
	}
}

// lines reads the next n console lines, noting notices and skipping the rest.
func (h *harness) lines(n int) []string {
	h.t.Helper()
	var out []string
	for len(out) < n {
		ev := h.next()
		h.note(ev)
		if ev.Kind == console.KindLine {
			out = append(out, ev.Text)
		}
	}
	return out
}

// notice reads events until the next notice.
func (h *harness) notice() string {
	h.t.Helper()
	for {
		ev := h.next()
		if ev.Kind == console.KindNotice {
			h.notices = append(h.notices, ev.Text)
			return ev.Text
		}
		require.NotEqual(h.t, console.KindLine, ev.Kind, "unexpected line %q", ev.Text)
	}
}

// waitConnected waits until the stream has handled its auth success and the
// node has read every frame the stream sent since (its `send logs`). Moving
// the clock before then would stamp a frame in flight with the later time on
// both sides, a jump a real clock cannot make: the client's limiter would
// count that replay request as just sent and hold back the next one.
func (h *harness) waitConnected() {
	h.t.Helper()
	require.Eventually(h.t, h.stream.connected, 10*time.Second, time.Millisecond)
	h.node.Await("the node reading what the stream sent after its auth", func() bool {
		h.stream.mu.Lock()
		c := h.stream.cur
		h.stream.mu.Unlock()
		if c == nil {
			return false
		}
		written := c.written.Load()
		return c.queued.Load() == written && int64(h.node.OpenReceived(sid)) == written
	})
}

func (h *harness) count(event string) int {
	n := 0
	for _, e := range h.node.Inbound(sid) {
		if e == event {
			n++
		}
	}
	return n
}

func lineSet(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", prefix, i)
	}
	return out
}

// requireNoLeaks fails if a goroutine of this package outlives Stream.
func requireNoLeaks(t *testing.T) {
	t.Helper()
	leaked := func() string {
		buf := make([]byte, 1<<20)
		all := strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n")
		for _, g := range all[1:] { // all[0] is this goroutine
			if strings.Contains(g, "internal/console/wings.(") && !strings.Contains(g, "(*harness).start") {
				return g
			}
		}
		return ""
	}
	// Goroutines that were joined may still be unwinding for a moment.
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for g := leaked(); g != ""; g = leaked() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("leaked goroutine:\n%s", g)
		}
	}
}

func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }

// fmtSscanf reads the count at the start of a dropped-lines notice.
func fmtSscanf(text string, n *int) (int, error) {
	return fmt.Sscanf(text, "%d", n)
}
