// Package wingssim is a strict, scriptable stand-in for the websocket of a
// Pterodactyl or Pelican node (Wings), for tests. It refuses what a real node
// refuses (wrong Origin, too many sockets, oversized frames, expired or
// denylisted tokens, inbound floods) and reproduces what real nodes do that
// naive clients miss: after a token expires every outgoing event is replaced
// by `jwt error` while the socket stays open.
//
// Time is simulated: nothing happens on its own. Advance moves the node's
// clock and fires, in order, the 30-second token ticker of every socket, the
// once-a-second stats of running servers and the timers handed out by After,
// so that a test can drive a client that shares the node's clock (Now and
// After make Node a clock) through hours of token expiries in milliseconds.
package wingssim

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Usage is the resource figures a server reports in its `stats` events.
type Usage struct {
	MemoryBytes      int64
	MemoryLimitBytes int64
	CPUAbsolute      float64
	DiskBytes        int64
	RxBytes          int64
	TxBytes          int64
}

type config struct {
	origin      string
	pelican     bool
	lifetime    time.Duration
	backlog     int
	start       time.Time
	permissions []string
	stall       time.Duration
	maxSockets  int
	statsEvery  time.Duration
}

// Option configures a Node.
type Option func(*config) error

// WithOrigin sets the panel URL the node accepts as the websocket Origin
// (default "https://panel.example.com").
func WithOrigin(origin string) Option {
	return func(c *config) error {
		if !strings.HasPrefix(origin, "http://") && !strings.HasPrefix(origin, "https://") {
			return fmt.Errorf("origin %q must be an http(s) URL", origin)
		}
		c.origin = origin
		return nil
	}
}

// WithPelican makes the node behave like Pelican's Wings: tokens carry and
// need scope "websocket", they last 15 minutes unless WithTokenLifetime says
// otherwise, and the daemon's own console lines say "[pelican Daemon]".
func WithPelican() Option {
	return func(c *config) error { c.pelican = true; return nil }
}

// WithTokenLifetime sets how long minted tokens last (default 10 minutes,
// Pelican 15). Tests make it tiny to drive many expiries quickly.
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Second {
			return fmt.Errorf("token lifetime %v is under the 1 s resolution of exp", d)
		}
		c.lifetime = d
		return nil
	}
}

// WithBacklog sets how many lines `send logs` replays (Wings default 150).
func WithBacklog(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("backlog %d must be at least 1", n)
		}
		c.backlog = n
		return nil
	}
}

// WithStart sets the simulated clock's starting time.
func WithStart(t time.Time) Option {
	return func(c *config) error { c.start = t; return nil }
}

// WithPermissions sets the permissions minted tokens carry (default ["*"],
// the server owner's).
func WithPermissions(perms ...string) Option {
	return func(c *config) error { c.permissions = perms; return nil }
}

// WithStallTimeout sets how long a socket's writer may make no progress
// before its 8-line console buffer starts dropping the oldest line (Wings:
// 10 ms). Tests that are not about stalls raise it so a busy CI machine
// cannot lose lines.
func WithStallTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("stall timeout %v must be positive", d)
		}
		c.stall = d
		return nil
	}
}

// WithMaxSockets sets the per-server socket limit (Wings: 30).
func WithMaxSockets(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("max sockets %d must be at least 1", n)
		}
		c.maxSockets = n
		return nil
	}
}

// WithStatsEvery sets the simulated period of `stats` while a server runs
// (default 1 s); 0 turns periodic stats off.
func WithStatsEvery(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("stats period must not be negative")
		}
		c.statsEvery = d
		return nil
	}
}

// Node is one simulated Wings node with its websocket endpoint
// /api/servers/{uuid}/ws. Servers come into being the first time any method
// names their uuid, offline.
type Node struct {
	t      testing.TB
	cfg    config
	srv    *httptest.Server
	secret []byte
	wg     sync.WaitGroup

	mu        sync.Mutex
	now       time.Time
	boot      time.Time
	servers   map[string]*server
	waiters   []waiter
	changed   chan struct{}
	closing   bool
	throttled int
	dropped   int
}

// New starts a node; it is shut down when the test ends.
func New(t testing.TB, opts ...Option) *Node {
	t.Helper()
	cfg := config{
		origin: "https://panel.example.com", backlog: 150, permissions: []string{"*"},
		start: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC), stall: 10 * time.Millisecond,
		maxSockets: 30, statsEvery: time.Second,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			t.Fatalf("wingssim: %v", err)
		}
	}
	if cfg.lifetime == 0 {
		cfg.lifetime = 10 * time.Minute
		if cfg.pelican {
			cfg.lifetime = 15 * time.Minute
		}
	}
	n := &Node{t: t, cfg: cfg, secret: []byte(randomHex(32)), now: cfg.start, boot: cfg.start,
		servers: make(map[string]*server), changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/servers/{uuid}/ws", n.serveWS)
	n.srv = httptest.NewServer(mux)
	t.Cleanup(n.close)
	return n
}

// URL is the node's base URL (http://127.0.0.1:port).
func (n *Node) URL() string { return n.srv.URL }

// Origin is the panel URL the node accepts as Origin.
func (n *Node) Origin() string { return n.cfg.origin }

// SocketURL is the websocket URL of a server, as the panel hands it out.
func (n *Node) SocketURL(uuid string) string {
	return "ws" + strings.TrimPrefix(n.srv.URL, "http") + "/api/servers/" + uuid + "/ws"
}

// Credentials mints a websocket token for the server the way the panel's
// GET /api/client/servers/{id}/websocket does, and returns it with the socket
// URL. It is the hook pterosim calls.
func (n *Node) Credentials(serverUUID string) (token, socket string, err error) {
	if serverUUID == "" || strings.ContainsAny(serverUUID, "/?#") {
		return "", "", fmt.Errorf("wingssim: bad server uuid %q", serverUUID)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(serverUUID)
	iat := n.now.Unix()
	c := claims{
		Issuer: n.cfg.origin, Audience: []string{n.srv.URL}, ID: randomHex(16),
		IssuedAt: iat, NotBefore: iat - 300, Expires: iat + int64(n.cfg.lifetime/time.Second),
		ServerUUID: serverUUID, UserUUID: "5b3d5a8e-0000-4000-8000-000000000001",
		Permissions: n.cfg.permissions, UniqueID: randomHex(8),
	}
	if n.cfg.pelican {
		c.Scope = "websocket"
	}
	return signJWT(n.secret, c), n.SocketURL(serverUUID), nil
}

// server returns the server, creating it offline if it is new. Caller holds mu.
func (n *Node) server(uuid string) *server {
	s, ok := n.servers[uuid]
	if !ok {
		s = &server{uuid: uuid, state: "offline", sockets: make(map[*socket]struct{})}
		n.servers[uuid] = s
	}
	return s
}

// signal wakes everything waiting in Await. Caller holds mu.
func (n *Node) signal() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// Await blocks the test until cond holds, re-checking it whenever the node's
// state changes (a frame handled, a socket opened or closed); it fails the
// test after 10 s. cond runs without the node's lock, so it may call Node
// methods. Call it from the test goroutine only.
func (n *Node) Await(what string, cond func() bool) {
	n.t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		n.mu.Lock()
		ch := n.changed
		n.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			n.t.Fatalf("wingssim: timed out waiting for %s", what)
		}
	}
}

// close shuts the node down: no new sockets, every open one dropped, every
// handler joined, so that tests can check for leaked goroutines.
func (n *Node) close() {
	n.mu.Lock()
	n.closing = true
	n.mu.Unlock()
	n.srv.Close()
	n.mu.Lock()
	for _, s := range n.servers {
		s.dropAll()
	}
	n.mu.Unlock()
	n.wg.Wait()
}
