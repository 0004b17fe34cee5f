// Package shardsim is a strict, in-process Shardlyn API for tests. It
// answers what the API document describes (login and refresh with
// 15-minute HS256 access tokens, API tokens, instances with power and
// stats, the live-log websocket, the log history, the interactive console
// websocket, the {"error": ...} envelope, the
// X-RateLimit-* headers) and refuses what the real API refuses: a missing
// or expired token, a bad body, an unknown id, a request over the limit.
//
// Where the document is silent the simulator takes the strict reading and
// says so in the comment of the handler concerned.
package shardsim

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// Defaults of the simulated deployment.
const (
	// DefaultEmail and DefaultPassword are the account every Sim has.
	DefaultEmail    = "bot@example.com"
	DefaultPassword = "correct-horse-battery-staple"
	// AccessTokenTTL is the documented access-token lifetime.
	AccessTokenTTL = 15 * time.Minute
)

// Sim is one simulated Shardlyn deployment on an httptest server. URL,
// SetDown, Requests and CountStatus come with the embedded Controls.
type Sim struct {
	simkit.Controls[Request]

	t        testing.TB
	http     *simkit.Server[Request]
	cfg      config
	key      []byte
	apiToken string
	upgrader websocket.Upgrader

	mu        sync.Mutex
	accounts  map[string]*account
	apiTokens map[string]bool
	refresh   map[string]bool // refresh tokens not yet used or revoked
	nextJTI   uint64
	minJTI    uint64 // access tokens with a lower jti are revoked
	instances map[string]*instance
	order     []string
	sockets   map[string]map[*socket]struct{}
	winStart  time.Time
	winCount  int

	// faults have their own lock, as has the request log: handlers answer
	// while holding mu.
	faults simkit.Faults
}

type account struct {
	email, password string
	mfa             bool
	failures        int
	lockedUntil     time.Time
}

// New starts a simulator; it stops when the test ends.
func New(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Sim{
		t: t, cfg: cfg, key: []byte(simkit.RandomHex(64)), apiToken: "shardlyn_api_" + simkit.RandomHex(32),
		http:      simkit.NewServer(func(r *Request) *int { return &r.Status }),
		accounts:  map[string]*account{DefaultEmail: {email: DefaultEmail, password: DefaultPassword}},
		refresh:   map[string]bool{},
		instances: map[string]*instance{},
		sockets:   map[string]map[*socket]struct{}{},
		nextJTI:   1,
		// A refused handshake (a foreign Origin, a bad version) answers
		// the documented envelope too, not gorilla's plain text.
		upgrader: websocket.Upgrader{Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			writeError(w, status, reason.Error())
		}},
	}
	s.Controls = s.http.Controls()
	s.apiTokens = map[string]bool{s.apiToken: true}
	s.applyAccounts()
	for _, in := range cfg.instances {
		s.addLocked(in)
	}
	s.http.Start(t, s.routes())
	// Cleanups run last first: the sockets close before the server does,
	// which waits for their handlers.
	t.Cleanup(s.closeSockets)
	return s
}

func (s *Sim) applyAccounts() {
	for _, email := range s.cfg.mfa {
		a := s.accounts[email]
		if a == nil {
			a = &account{email: email, password: DefaultPassword}
			s.accounts[email] = a
		}
		a.mfa = true
	}
}

// Email and Password are the credentials of the default account.
func (s *Sim) Email() string { return DefaultEmail }

// Password is the default account's password.
func (s *Sim) Password() string { return DefaultPassword }

// APIToken is a valid API token of the default account.
func (s *Sim) APIToken() string { return s.apiToken }

func (s *Sim) now() time.Time { return s.cfg.clock.Now() }

// Request is one request the simulator received, for assertions.
type Request struct {
	Method string
	Path   string
	Auth   AuthMethod
	Status int // 101 for an accepted websocket
}

// AuthMethod says how a request authenticated.
type AuthMethod string

// The ways a request can present itself.
const (
	AuthNone     AuthMethod = "none"
	AuthJWT      AuthMethod = "jwt"
	AuthAPIToken AuthMethod = "api-token"
)

// Count returns how many requests had this method and path.
func (s *Sim) Count(method, path string) int {
	return s.http.Log.Count(func(r Request) bool { return r.Method == method && r.Path == path })
}

// FailNext makes the next request (any path) answer status with the
// documented envelope {"error": message}. Calls queue up.
func (s *Sim) FailNext(status int, message string) { s.faults.Add("", status, message, 1) }

// RevokeAccessTokens invalidates every access token issued so far (refresh
// tokens stay valid), as a server-side logout or key rotation would.
func (s *Sim) RevokeAccessTokens() {
	s.mu.Lock()
	s.minJTI = s.nextJTI
	s.mu.Unlock()
}

// RevokeRefreshTokens invalidates every refresh token issued so far.
func (s *Sim) RevokeRefreshTokens() {
	s.mu.Lock()
	clear(s.refresh)
	s.mu.Unlock()
}

// RevokeAPIToken deletes the default API token, as a user would in
// Settings > API Tokens.
func (s *Sim) RevokeAPIToken() {
	s.mu.Lock()
	delete(s.apiTokens, s.apiToken)
	s.mu.Unlock()
}

func (s *Sim) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/auth/login", s.login)
	mux.HandleFunc("POST /v1/auth/refresh", s.refreshToken)
	mux.HandleFunc("GET /v1/instances", s.authed(s.listInstances))
	mux.HandleFunc("GET /v1/instances/{id}", s.authed(s.getInstance))
	mux.HandleFunc("GET /v1/instances/{id}/stats", s.authed(s.stats))
	mux.HandleFunc("GET /v1/instances/{id}/logs", s.authed(s.logs))
	mux.HandleFunc("GET /v1/instances/{id}/logs/history", s.authed(s.history))
	mux.HandleFunc("GET /v1/instances/{id}/console", s.authed(s.console))
	mux.HandleFunc("POST /v1/instances/{id}/{action}", s.authed(s.power))
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeError(w, http.StatusNotFound, "not found") })
	return s.front(mux)
}

// front does what the deployment does before any handler: record, fail on
// demand, drop when down, count the request against the rate limit.
func (s *Sim) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := s.http.Log.Record(w, Request{Method: r.Method, Path: r.URL.Path, Auth: authMethod(r)})
		fault, failing := s.faults.Take(r.URL.Path)
		s.mu.Lock()
		limited := s.rateLimitLocked(rec.Header())
		s.mu.Unlock()
		switch {
		case s.http.Down():
			// Through the raw writer, so that the record keeps no status.
			simkit.HangUp(w)
		case failing:
			writeError(rec, fault.Status, fault.Message)
		case limited:
			writeError(rec, http.StatusTooManyRequests, "rate limit exceeded")
		default:
			next.ServeHTTP(rec, r)
		}
	})
}

// rateLimitLocked counts the request in the current fixed window of the
// injected clock and sets the documented headers on every answer.
func (s *Sim) rateLimitLocked(h http.Header) bool {
	now := s.now()
	start := now.Truncate(s.cfg.rateWindow)
	if !start.Equal(s.winStart) {
		s.winStart, s.winCount = start, 0
	}
	s.winCount++
	remaining := max(0, s.cfg.rateLimit-s.winCount)
	reset := start.Add(s.cfg.rateWindow)
	h.Set("X-RateLimit-Limit", itoa(s.cfg.rateLimit))
	h.Set("X-RateLimit-Remaining", itoa(remaining))
	h.Set("X-RateLimit-Reset", itoa(int((reset.UnixNano()+int64(time.Second)-1)/int64(time.Second))))
	return s.winCount > s.cfg.rateLimit
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	simkit.WriteJSON(w, "application/json", status, v)
}

// writeError answers in the documented error format.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
