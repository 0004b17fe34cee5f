// Package prismsim is a strict in-process stand-in for ServerPrism's client
// API, for tests. It answers as ServerPrism's document says: Bearer tokens
// with scopes (403 without the endpoint's scope), per-customer read (60/min)
// and write (20/min) buckets counted on an injectable clock with 429 and
// Retry-After, 404 for another customer's server, 422 for a body that fails
// validation, 412 for a command to a server that is not running, 503 when
// the node is down, and a details answer whose resources are null while the
// node is unreachable. Power signals change the state that details report.
//
// Where the document is silent the simulator takes Laravel's behaviour (the
// panel is built on it) in its strictest reading, and says so: error bodies
// are {"message": …} with "errors" for validation; a body not sent as
// application/json is not read (so its fields are missing); the buckets are
// sliding windows (no client that keeps to them can be refused by a fixed
// one either); checks run route → token → bucket → scope → server → body →
// server state.
package prismsim

import (
	"cmp"
	"sync"
	"testing"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// The scopes ServerPrism documents.
const (
	ScopeRead    = "servers:read"
	ScopeControl = "servers:control"
)

// The power states the simulator keeps, as details' current_state.
const (
	StateOffline = "offline"
	StateRunning = "running"
)

// Customer is the customer the default token belongs to.
const Customer = 1

// Server is one service. Zero fields take the defaults of the document's
// example where that makes sense (active, offline, customer 1).
type Server struct {
	ID            int64
	Name          string
	Product       string
	ServiceStatus string // "active" (default), "suspended", or another status that is not listed
	MemoryMB      int64
	DiskMB        int64
	CPUPercent    int64
	State         string // StateOffline (default) or StateRunning
	MemoryBytes   int64
	CPUAbsolute   float64
	DiskBytes     int64
	RxBytes       int64
	TxBytes       int64
	// NodeDown makes details answer "resources": null and power and
	// commands 503.
	NodeDown bool
	// Customer owns the server; 0 means Customer. Another customer's server
	// is 404 to the default token.
	Customer int
}

// Request is a request as the simulator received it, Accept header included.
type Request = simkit.Request

// Sim is ServerPrism's client API with its customers, their tokens and
// their services, served until the test ends. Controls bring URL, SetDown,
// Requests and CountStatus.
type Sim struct {
	simkit.Controls[Request]

	http   *simkit.Server[Request]
	clock  clock.Clock
	reads  int
	writes int
	window time.Duration
	faults simkit.Faults

	mu       sync.Mutex
	token    string
	tokens   map[string]*tokenInfo
	servers  map[int64]*Server
	commands map[int64][]string
	buckets  map[bucketKey]*simkit.Window
}

type tokenInfo struct {
	customer int
	scopes   map[string]bool
	revoked  bool
}

type bucketKey struct {
	customer int
	write    bool
}

// Option configures a Sim.
type Option func(*Sim)

// WithServers replaces the default servers (1234 and 1290, the document's
// example) with these.
func WithServers(servers ...Server) Option {
	return func(s *Sim) {
		s.servers = simkit.Index(servers, func(srv *Server) int64 { return srv.ID }, func(srv *Server) {
			srv.ServiceStatus = cmp.Or(srv.ServiceStatus, "active")
			srv.State = cmp.Or(srv.State, StateOffline)
			srv.Customer = cmp.Or(srv.Customer, Customer)
		})
	}
}

// WithClock injects the clock the buckets are counted on (default the wall
// clock).
func WithClock(c clock.Clock) Option { return func(s *Sim) { s.clock = c } }

// WithRateLimits replaces the documented 60 reads and 20 writes per minute,
// e.g. to shrink time in a test together with the client's own limits.
func WithRateLimits(reads, writes int, per time.Duration) Option {
	return func(s *Sim) { s.reads, s.writes, s.window = reads, writes, per }
}

// WithScopes sets the scopes of the default token (both by default).
func WithScopes(scopes ...string) Option {
	return func(s *Sim) { s.tokens[s.token].scopes = scopeSet(scopes) }
}

// New starts a simulator for the length of the test.
func New(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	s := &Sim{http: simkit.NewServer(simkit.RequestStatus), clock: clock.Real{},
		reads: 60, writes: 20, window: time.Minute,
		tokens: map[string]*tokenInfo{}, commands: map[int64][]string{}, buckets: map[bucketKey]*simkit.Window{}}
	s.Controls = s.http.Controls()
	s.token = s.addToken(Customer, []string{ScopeRead, ScopeControl})
	WithServers(
		Server{ID: 1234, Name: "Fred's Minecraft", Product: "Minecraft 4 GB", MemoryMB: 4096, DiskMB: 25600, CPUPercent: 200,
			MemoryBytes: 2147483648, CPUAbsolute: 18.5, DiskBytes: 7300000000, RxBytes: 12345678, TxBytes: 87654321},
		Server{ID: 1290, Name: "Palworld", Product: "Palworld 8 GB", MemoryMB: 8192, DiskMB: 51200, CPUPercent: 400},
	)(s)
	for _, o := range opts {
		o(s)
	}
	if s.reads < 1 || s.writes < 1 || s.window <= 0 || s.clock == nil {
		t.Fatalf("prismsim: invalid options (%d reads, %d writes per %s, clock set: %v)", s.reads, s.writes, s.window, s.clock != nil)
	}
	s.http.Start(t, s)
	return s
}

func (s *Sim) addToken(customer int, scopes []string) string {
	tok := "1|" + simkit.RandomHex(40)
	s.tokens[tok] = &tokenInfo{customer: customer, scopes: scopeSet(scopes)}
	return tok
}

func scopeSet(scopes []string) map[string]bool {
	m := make(map[string]bool, len(scopes))
	for _, sc := range scopes {
		m[sc] = true
	}
	return m
}

// Token is the default token: customer 1, both scopes unless WithScopes.
func (s *Sim) Token() string { return s.token }

// NewToken issues another token of customer 1 with these scopes.
func (s *Sim) NewToken(scopes ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addToken(Customer, scopes)
}

// NewCustomerToken issues a token, with both scopes, of another customer.
func (s *Sim) NewCustomerToken(customer int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addToken(customer, []string{ScopeRead, ScopeControl})
}

// RevokeToken makes a token answer 401 from now on.
func (s *Sim) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ti := s.tokens[token]; ti != nil {
		ti.revoked = true
	}
}

// FailNext makes the next n requests whose path starts with pathPrefix fail
// with status and ServerPrism's body for it.
func (s *Sim) FailNext(pathPrefix string, status, n int) { s.faults.Add(pathPrefix, status, "", n) }

// SetNodeDown makes a server's node unreachable (or reachable again).
func (s *Sim) SetNodeDown(id int64, down bool) {
	simkit.Locked(&s.mu, s.servers, id, func(srv *Server) { srv.NodeDown = down })
}

// State reports a server's power state ("" for an unknown id).
func (s *Sim) State(id int64) (state string) {
	simkit.Locked(&s.mu, s.servers, id, func(srv *Server) { state = srv.State })
	return state
}

// Commands returns the console commands a server received, in order.
func (s *Sim) Commands(id int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands[id]...)
}

// Count counts the requests received with this method and path.
func (s *Sim) Count(method, path string) int {
	return s.http.Log.Count(func(r Request) bool { return r.Method == method && r.Path == path })
}

// listed returns a customer's services by id; s.mu is held.
func (s *Sim) listed(customer int) []Server {
	return simkit.Sorted(s.servers, func(srv *Server) bool { return srv.listedFor(customer) })
}

// listedFor tells whether the customer owns the service and it is active or
// suspended: the only ones the API shows.
func (srv *Server) listedFor(customer int) bool {
	return srv.Customer == customer && (srv.ServiceStatus == "active" || srv.ServiceStatus == "suspended")
}
