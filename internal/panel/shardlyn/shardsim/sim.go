// Package shardsim is a strict, in-process Shardlyn API for tests. It
// answers what the API document describes (login and refresh with
// 15-minute HS256 access tokens, API tokens, instances with power and
// stats, the live-log websocket, the {"error": ...} envelope, the
// X-RateLimit-* headers) and refuses what the real API refuses: a missing
// or expired token, a bad body, an unknown id, a request over the limit.
//
// Where the document is silent the simulator takes the strict reading and
// says so in the comment of the handler concerned.
package shardsim

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Defaults of the simulated deployment.
const (
	// DefaultEmail and DefaultPassword are the account every Sim has.
	DefaultEmail    = "bot@example.com"
	DefaultPassword = "correct-horse-battery-staple"
	// AccessTokenTTL is the documented access-token lifetime.
	AccessTokenTTL = 15 * time.Minute
)

// Sim is one simulated Shardlyn deployment on an httptest server.
type Sim struct {
	t        testing.TB
	srv      *httptest.Server
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
	fails     []failure
	down      bool
	winStart  time.Time
	winCount  int

	// recMu guards requests alone: handlers answer while holding mu.
	recMu    sync.Mutex
	requests []Request
}

type account struct {
	email, password string
	mfa             bool
	failures        int
	lockedUntil     time.Time
}

type failure struct {
	status int
	msg    string
}

// New starts a simulator; it stops when the test ends.
func New(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Sim{
		t: t, cfg: cfg, key: randomBytes(t, 32), apiToken: "shardlyn_api_" + hex.EncodeToString(randomBytes(t, 16)),
		accounts:  map[string]*account{DefaultEmail: {email: DefaultEmail, password: DefaultPassword}},
		refresh:   map[string]bool{},
		instances: map[string]*instance{},
		sockets:   map[string]map[*socket]struct{}{},
		nextJTI:   1,
	}
	s.apiTokens = map[string]bool{s.apiToken: true}
	s.applyAccounts()
	for _, in := range cfg.instances {
		s.addLocked(in)
	}
	s.srv = httptest.NewServer(s.routes())
	t.Cleanup(func() {
		s.closeSockets()
		s.srv.Close()
	})
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

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("shardsim: random: %v", err)
	}
	return b
}

// URL is the base URL to give the client (http://127.0.0.1:port).
func (s *Sim) URL() string { return s.srv.URL }

// Email and Password are the credentials of the default account.
func (s *Sim) Email() string { return DefaultEmail }

// Password is the default account's password.
func (s *Sim) Password() string { return DefaultPassword }

// APIToken is a valid API token of the default account.
func (s *Sim) APIToken() string { return s.apiToken }

func (s *Sim) now() time.Time { return s.cfg.now() }

// Request is one request the simulator received, for assertions.
type Request struct {
	Method string
	Path   string
	Auth   AuthKind
	Status int // 101 for an accepted websocket
}

// AuthKind says how a request authenticated.
type AuthKind string

// The ways a request can present itself.
const (
	AuthNone     AuthKind = "none"
	AuthJWT      AuthKind = "jwt"
	AuthAPIToken AuthKind = "api-token"
)

// Requests returns every request received so far, in order.
func (s *Sim) Requests() []Request {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests had this method and path.
func (s *Sim) Count(method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// FailNext makes the next request (any path) answer status with the
// documented envelope {"error": message}. Calls queue up.
func (s *Sim) FailNext(status int, message string) {
	s.mu.Lock()
	s.fails = append(s.fails, failure{status: status, msg: message})
	s.mu.Unlock()
}

// SetDown makes the server drop every connection without answering, as a
// host that is down or unreachable would look to the client.
func (s *Sim) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

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
		rec := s.record(w, r)
		s.mu.Lock()
		down, fail := s.down, s.popFailLocked()
		limited := s.rateLimitLocked(rec.Header())
		s.mu.Unlock()
		switch {
		case down:
			hangUp(w)
		case fail != nil:
			writeError(rec, fail.status, fail.msg)
		case limited:
			writeError(rec, http.StatusTooManyRequests, "rate limit exceeded")
		default:
			next.ServeHTTP(rec, r)
		}
	})
}

func (s *Sim) popFailLocked() *failure {
	if len(s.fails) == 0 {
		return nil
	}
	f := s.fails[0]
	s.fails = s.fails[1:]
	return &f
}

// recordLocked notes the request on arrival, so that a test reading
// Requests after the client returns always finds it; the recorder fills
// in the status as soon as it is written.
func (s *Sim) record(w http.ResponseWriter, r *http.Request) *recorder {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Auth: authKind(r)})
	return &recorder{ResponseWriter: w, sim: s, idx: len(s.requests) - 1}
}

// setStatus takes its own lock: handlers answer while holding mu.
func (s *Sim) setStatus(idx, status int) {
	s.recMu.Lock()
	if s.requests[idx].Status == 0 {
		s.requests[idx].Status = status
	}
	s.recMu.Unlock()
}

func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
		}
	}
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

// recorder notes the status of each answer before it leaves; it passes
// Hijack through for the websocket upgrade.
type recorder struct {
	http.ResponseWriter
	sim *Sim
	idx int
}

func (r *recorder) WriteHeader(code int) {
	r.sim.setStatus(r.idx, code)
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.sim.setStatus(r.idx, http.StatusOK)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	r.sim.setStatus(r.idx, http.StatusSwitchingProtocols)
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in the documented error format.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
