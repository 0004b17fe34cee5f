// Package pterosim is a strict in-process fake of the Pterodactyl / Pelican
// client API (/api/client), for tests of the panel client and end-to-end
// tests of the bot. It refuses what the real panel refuses, with the
// panel's status codes and error envelopes, and runs each server through
// the power states on an injectable clock.Clock.
//
//	clk := manualclock.New(start) // or any clock.Clock
//	sim := pterosim.New(t, pterosim.WithClock(clk), pterosim.WithServers(
//		pterosim.ServerSpec{Identifier: "1a2b3c4d", Name: "Survival", State: panel.StateRunning}))
//	c, _ := pterodactyl.New(sim.URL(), sim.APIKey())
//	... // drive the bot, then inspect sim.ServerState("1a2b3c4d"), sim.Requests(), sim.Count(…)
//
// What it checks, in the panel's order: injected failures (SetDown,
// FailNext); an Accept header that names JSON (else 302 to /auth/login with
// an HTML page); "Authorization: Bearer <key>" (401 AuthenticationException;
// any ptla_ key is taken for an application key: 403); the per-minute rate
// limit (X-RateLimit-Limit/Remaining on every answer past this point, 429
// ThrottleRequestsException with Retry-After and X-RateLimit-Reset); the
// route (404 NotFoundHttpException, 405 on a wrong method); the server
// (404 "The requested resource does not exist on this server."; 409
// ServerStateConflictException when suspended or installing, except for the
// details); the subuser's permissions (403); the body (422
// ValidationException: only a JSON Content-Type is read, malformed JSON is
// no input); the node (504 DaemonConnectionException with SetNodeDown; 502
// "Server must be online in order to send commands." for a command to a
// server that is neither starting nor running).
//
// Known simplifications: the real panel caches /resources for 20 s, the sim
// answers the current state every time; the real panel redirects only
// unauthenticated requests without a JSON Accept header, the sim redirects
// them all, which keeps clients honest about the header. per_page above
// 100 is clamped to 100, as the panel's paginate(min(per_page, 100)) does.
// A restart passes through offline (stopping, offline, starting, running),
// as Wings reports it.
package pterosim

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// Default rate limits per minute: Pterodactyl's client API and Pelican's.
const (
	DefaultRateLimit        = 720
	DefaultPelicanRateLimit = 256
	// DefaultTransitionDelay is how long starting and stopping last.
	DefaultTransitionDelay = 2 * time.Second
)

// Node is the optional hook a Wings node simulator implements, so the live
// console follows what the REST API does. Hooks are called from one
// goroutine of the Sim, in order, never with the Sim's lock held.
type Node interface {
	// Credentials mints the websocket token and address for a server
	// (GET …/websocket); an error makes the panel answer 500.
	Credentials(serverUUID string) (token, socket string, err error)
	// StateChanged reports each power state a server enters.
	StateChanged(serverUUID, state string)
	// Command reports a console command the panel accepted for a server.
	Command(serverUUID, command string)
}

// ServerSpec describes one server of the simulated account.
type ServerSpec struct {
	// Identifier is the 8-character id; derived from UUID when empty.
	Identifier string
	// UUID is derived from Identifier when empty; when both are given,
	// Identifier must be UUID's first 8 characters, as on the panel.
	UUID        string
	Name        string // default "Server <identifier>"
	Description string
	NodeName    string       // default "Node 1"
	Limits      panel.Limits // zero = unlimited
	State       panel.State  // initial power state, default offline
	Suspended   bool
	Installing  bool
	// Permissions the account has on the server as a subuser
	// ("control.console", "control.start", "control.stop",
	// "control.restart", "websocket.connect"); nil means the owner, who
	// has them all.
	Permissions []string
	// Allocations are the server's addresses, listed under
	// relationships.allocations; the one with Default is the primary.
	Allocations []Allocation
}

// Allocation is one address (IP and port) assigned to a server.
type Allocation struct {
	IP      string
	IPAlias string // "" is written as null
	Port    int
	Default bool
}

// Sim is a running fake panel. It is safe for concurrent use.
type Sim struct {
	http      *simkit.Server[Request] // the request log and SetDown, with their own locks
	key       string
	pelican   bool
	limit     int
	delay     time.Duration
	clock     clock.Clock
	realClock bool // clock is the wall clock: the sim runs its own timers
	node      Node
	secret    []byte
	hooks     *dispatcher
	faults    simkit.Faults // its own lock: a failure is answered without mu

	mu       sync.Mutex
	servers  []*server
	window   window
	nodeDown bool
	closed   bool
	specs    []ServerSpec
	badOpt   []string
}

// Option configures a Sim.
type Option func(*Sim)

// WithAPIKey sets the client key the sim accepts (default: a random ptlc_ key).
func WithAPIKey(key string) Option {
	return func(s *Sim) {
		if !strings.HasPrefix(key, "ptlc_") {
			s.badOpt = append(s.badOpt, "WithAPIKey: a client API key starts with ptlc_")
		}
		s.key = key
	}
}

// WithServers sets the account's servers.
func WithServers(specs ...ServerSpec) Option {
	return func(s *Sim) { s.specs = append(s.specs, specs...) }
}

// WithRateLimit sets the requests allowed per minute (default 720, Pelican 256).
func WithRateLimit(perMinute int) Option {
	return func(s *Sim) {
		if perMinute < 1 {
			s.badOpt = append(s.badOpt, fmt.Sprintf("WithRateLimit(%d): use at least 1", perMinute))
		}
		s.limit = perMinute
	}
}

// WithClock injects the clock (default clock.Real). On any other clock,
// power transitions happen when a request arrives or Tick is called after
// moving the clock; on the wall clock, the sim also runs timers so
// transitions happen in real time.
func WithClock(c clock.Clock) Option {
	return func(s *Sim) {
		if c == nil {
			s.badOpt = append(s.badOpt, "WithClock: nil clock")
			return
		}
		s.clock = c
	}
}

// WithTransitionDelay sets how long starting and stopping last (default 2 s).
func WithTransitionDelay(d time.Duration) Option {
	return func(s *Sim) {
		if d < 0 {
			s.badOpt = append(s.badOpt, "WithTransitionDelay: negative duration")
		}
		s.delay = d
	}
}

// WithPelican makes the sim behave like Pelican: 256 requests a minute, a
// command to an offline server is answered 204 and dropped, websocket
// tokens last 15 minutes and the websocket endpoint allows 5 a minute per
// server.
func WithPelican() Option { return func(s *Sim) { s.pelican = true } }

// WithNode connects a Wings node simulator.
func WithNode(n Node) Option { return func(s *Sim) { s.node = n } }

// New starts a sim; it is closed when the test ends. Bad options fail the test.
func New(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	s := &Sim{http: simkit.NewServer(func(r *Request) *int { return &r.Status }),
		key: "ptlc_" + simkit.RandomHex(22), delay: DefaultTransitionDelay, clock: clock.Real{}, secret: []byte(simkit.RandomHex(32))}
	for _, o := range opts {
		o(s)
	}
	_, s.realClock = s.clock.(clock.Real)
	if s.limit == 0 {
		s.limit = DefaultRateLimit
		if s.pelican {
			s.limit = DefaultPelicanRateLimit
		}
	}
	if err := s.buildServers(); err != nil {
		s.badOpt = append(s.badOpt, err.Error())
	}
	if len(s.badOpt) > 0 {
		t.Fatalf("pterosim: %s", strings.Join(s.badOpt, "; "))
	}
	if s.node != nil {
		s.hooks = newDispatcher(s.node)
	}
	s.http.Start(t, s)
	t.Cleanup(s.Close)
	return s
}

// URL is the panel's address, to give the client as its base URL.
func (s *Sim) URL() string { return s.http.URL() }

// APIKey is the client key the sim accepts.
func (s *Sim) APIKey() string { return s.key }

// Close stops the server, the timers and the hook goroutine. Idempotent.
func (s *Sim) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, sv := range s.servers {
		sv.stopTimer()
	}
	s.mu.Unlock()
	s.http.Close()
	if s.hooks != nil {
		s.hooks.close()
	}
}

func (s *Sim) now() time.Time { return s.clock.Now() }
