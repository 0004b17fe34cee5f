// Package zamptosim is a strict in-process stand-in for zampto's Server Power
// Actions API, for tests. It answers exactly as zampto's document says —
// every row of its error table with the documented status and message, the
// 5-requests-per-10-seconds limit counted on an injectable clock — and keeps
// each server's power state so tests can see what a signal did.
//
// Where the document is silent the simulator takes the strictest reading and
// says so: the limit is a sliding window (no client that keeps to it can be
// refused by a fixed window either) counting every request, /health
// included; a 429 carries the error envelope with express-rate-limit's text
// "Too many requests, please try again later." and a Retry-After header; an
// unknown route is express's HTML 404 "Cannot GET /x"; a body not sent as
// application/json is not parsed (so it lacks the server parameter); and
// the server parameter must be a JSON integer.
package zamptosim

import (
	"cmp"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// MinTokenLength is the shortest key the simulator does not call "Invalid
// token". zampto does not publish its threshold.
const MinTokenLength = 20

// The power states the simulator keeps per server.
const (
	StateOffline = "offline"
	StateRunning = "running"
)

// Server is one server the simulated account sees (or, with OtherAccount,
// one that exists but belongs to someone else).
type Server struct {
	ID         int64
	Name       string
	UUID       string // empty: not yet synced, so power answers 422
	Identifier string
	MemoryMB   int64
	DiskMB     int64
	CPU        int64
	Backups    int64
	NodeID     int64
	Port       int64
	// OtherAccount makes the server exist but belong to another user: it is
	// missing from /list and power answers 403, as zampto documents.
	OtherAccount bool
	// State is StateOffline (the default) or StateRunning.
	State string
}

// Request is one request the simulator received, for assertions; Status is
// what it answered.
type Request = simkit.Request

// Sim is one zampto account with its API key and servers, served until the
// test ends. URL, SetDown, Requests and CountStatus come with Controls.
type Sim struct {
	simkit.Controls[Request]

	http      *simkit.Server[Request]
	clock     clock.Clock
	injection *regexp.Regexp
	limitN    int
	limitW    time.Duration
	faults    simkit.Faults

	mu        sync.Mutex
	token     string
	keyActive bool
	servers   map[int64]*Server
	window    simkit.Window
}

// Option configures a Sim.
type Option func(*Sim)

// WithServers replaces the default server (id 1, "Minecraft Server", the
// document's example) with these.
func WithServers(servers ...Server) Option {
	return func(s *Sim) {
		s.servers = simkit.Index(servers, func(srv *Server) int64 { return srv.ID },
			func(srv *Server) { srv.State = cmp.Or(srv.State, StateOffline) })
	}
}

// WithClock injects the clock the rate-limit window is counted on (default
// the wall clock).
func WithClock(c clock.Clock) Option { return func(s *Sim) { s.clock = c } }

// WithRateLimit replaces the documented 5 requests per 10 s, e.g. to shrink
// time in a test together with the client's own limit.
func WithRateLimit(n int, per time.Duration) Option {
	return func(s *Sim) { s.limitN, s.limitW = n, per }
}

// WithToken sets the account's API key instead of a random one.
func WithToken(token string) Option { return func(s *Sim) { s.token = token } }

// New starts a simulator for the length of the test.
func New(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	s := &Sim{http: simkit.NewServer(simkit.RequestStatus), clock: clock.Real{},
		injection: newInjection(), limitN: 5, limitW: 10 * time.Second, token: simkit.RandomHex(40), keyActive: true}
	s.Controls = s.http.Controls()
	WithServers(Server{ID: 1, Name: "Minecraft Server", UUID: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
		Identifier: "abc123def456", MemoryMB: 4096, DiskMB: 51200, CPU: 4, Backups: 3, NodeID: 1, Port: 25565})(s)
	for _, o := range opts {
		o(s)
	}
	if s.limitN < 1 || s.limitW <= 0 || s.clock == nil {
		t.Fatalf("zamptosim: invalid options (rate limit %d per %s, clock set: %v)", s.limitN, s.limitW, s.clock != nil)
	}
	s.http.Start(t, s)
	return s
}

// Token is the account's valid API key.
func (s *Sim) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// FailNext makes the next n requests whose path starts with pathPrefix fail
// with status and the documented message for it (500 on a power path is
// "Failed to send power signal to server").
func (s *Sim) FailNext(pathPrefix string, status, n int) {
	s.FailNextWith(pathPrefix, status, "", n)
}

// FailNextWith is FailNext with a chosen message ("" for the documented one).
func (s *Sim) FailNextWith(pathPrefix string, status int, message string, n int) {
	s.faults.Add(pathPrefix, status, message, n)
}

// SetKeyActive disables (false) or re-enables the account's key; a disabled
// key is answered 401 like an unknown one.
func (s *Sim) SetKeyActive(active bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyActive = active
}

// SetUUID sets a server's uuid; "" makes it unsynced.
func (s *Sim) SetUUID(id int64, uuid string) {
	simkit.Locked(&s.mu, s.servers, id, func(srv *Server) { srv.UUID = uuid })
}

// State reports a server's power state ("" for an unknown id).
func (s *Sim) State(id int64) (state string) {
	simkit.Locked(&s.mu, s.servers, id, func(srv *Server) { state = srv.State })
	return state
}

// Count counts the requests received with this method and path.
func (s *Sim) Count(method, path string) int {
	return s.http.Log.Count(func(r Request) bool { return r.Method == method && r.Path == path })
}

// ownServers lists the account's servers by id; s.mu is held.
func (s *Sim) ownServers() []Server {
	return simkit.Sorted(s.servers, func(srv *Server) bool { return !srv.OtherAccount })
}
