// Package wingssim is a strict stand-in for the websocket of a Pterodactyl
// or Pelican node (Wings), for tests of the bot's client. It is as strict
// and as concurrent as the real daemon (docs/wings-websocket.md §9): each
// inbound frame is handled on its own goroutine, so an event sent before
// `auth success` is refused; `send logs` replays from its own goroutine and
// races live output on the socket's write lock; after a token expires every
// outgoing event is replaced by `jwt error` while the socket stays open.
//
// Time comes from a clock.Clock. By default the node owns a manual clock,
// so nothing timed (token ticks, stats, line generators) happens until the
// test calls Advance; WithClock shares a clock with the client under test,
// or runs the node in real time (clock.Real{}).
package wingssim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/manualclock"
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

// Node is one simulated Wings node with its websocket endpoint
// /api/servers/{uuid}/ws. Servers come into being, offline, the first time
// a method names their uuid.
type Node struct {
	t      testing.TB
	cfg    config
	clk    clock.Clock
	manual *manualclock.Clock // nil unless the clock is a manual one
	srv    *httptest.Server
	secret []byte
	wg     sync.WaitGroup // every connection handler

	mu        sync.Mutex
	boot      time.Time
	servers   map[string]*server
	streams   map[*Stream]struct{}
	changed   chan struct{}
	closing   bool
	credErr   error
	credCalls int
	throttled int
	dropped   int
}

// New starts a node; it is shut down when the test ends. The node booted an
// hour before its clock's current time, so tokens minted from now on are
// accepted.
func New(t testing.TB, opts ...Option) *Node {
	t.Helper()
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			t.Fatalf("wingssim: %v", err)
		}
	}
	if err := cfg.finish(); err != nil {
		t.Fatalf("wingssim: %v", err)
	}
	if cfg.clock == nil {
		cfg.clock = manualclock.New(cmpOr(cfg.start, defaultStart))
	}
	manual, _ := cfg.clock.(*manualclock.Clock)
	n := &Node{t: t, cfg: cfg, clk: cfg.clock, manual: manual, secret: []byte(randomHex(32)),
		boot: cfg.clock.Now().Add(-time.Hour), servers: make(map[string]*server),
		streams: make(map[*Stream]struct{}), changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/servers/{uuid}/ws", n.serveWS)
	n.srv = httptest.NewServer(mux)
	t.Cleanup(n.close)
	return n
}

func cmpOr(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t
}

// URL is the node's base URL (http://127.0.0.1:port).
func (n *Node) URL() string { return n.srv.URL }

// Origin is the panel URL the node accepts as Origin.
func (n *Node) Origin() string { return n.cfg.origin }

// Pelican reports whether the node behaves as Pelican's Wings.
func (n *Node) Pelican() bool { return n.cfg.pelican }

// SocketURL is the websocket URL of a server, as the panel hands it out.
func (n *Node) SocketURL(uuid string) string {
	return "ws" + strings.TrimPrefix(n.srv.URL, "http") + "/api/servers/" + uuid + "/ws"
}

// Credentials mints a websocket token for the server the way the panel's
// GET /api/client/servers/{id}/websocket does, and returns it with the socket
// URL. It is the hook pterosim calls; FailCredentials makes it fail.
func (n *Node) Credentials(serverUUID string) (token, socket string, err error) {
	if serverUUID == "" || strings.ContainsAny(serverUUID, "/?#") {
		return "", "", fmt.Errorf("wingssim: bad server uuid %q", serverUUID)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.credCalls++
	n.signal()
	if n.credErr != nil {
		return "", "", n.credErr
	}
	if n.server(serverUUID).deleted {
		return "", "", fmt.Errorf("wingssim: server %s was deleted", serverUUID)
	}
	return signJWT(n.secret, n.claimsFor(serverUUID)), n.SocketURL(serverUUID), nil
}

// claimsFor builds the panel's token payload. Caller holds mu.
func (n *Node) claimsFor(serverUUID string) claims {
	iat := n.clk.Now().Unix()
	c := claims{
		Issuer: n.cfg.origin, Audience: []string{n.srv.URL}, ID: randomHex(16),
		IssuedAt: iat, NotBefore: iat - 300, Expires: iat + int64(n.cfg.lifetime/time.Second),
		ServerUUID: serverUUID, UserUUID: "5b3d5a8e-0000-4000-8000-000000000001",
		Permissions: n.cfg.permissions, UniqueID: randomHex(8),
	}
	if n.cfg.pelican {
		c.Scope = "websocket"
	}
	return c
}

// server returns the server, creating it offline if it is new. Caller holds mu.
func (n *Node) server(uuid string) *server {
	s, ok := n.servers[uuid]
	if !ok {
		s = newServer(uuid)
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
// state changes (a frame read or written, a socket opened or closed); it
// fails the test after 10 s of real time. cond runs without the node's
// lock, so it may call Node methods. Call it from the test goroutine only.
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

// close shuts the node down: no new sockets, generators and tickers
// stopped, every open socket dropped, every handler joined, so that tests
// can check for leaked goroutines.
func (n *Node) close() {
	n.mu.Lock()
	n.closing = true
	for st := range n.streams {
		st.stopLocked()
	}
	for _, s := range n.servers {
		s.stopStatsLocked()
		s.dropAllLocked()
	}
	n.mu.Unlock()
	n.srv.Close()
	n.wg.Wait()
}
