package simkit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
)

// Server is the part of a simulator's HTTP side that is the same for every
// panel: the test server it listens on, the record of the requests it
// received, and being down. A simulator keeps its Server to itself and
// embeds the Controls it hands out, so that its tests reach only those.
type Server[R any] struct {
	// Log is the record of the requests received, in order.
	Log *Log[R]

	down atomic.Bool
	srv  *httptest.Server
}

// NewServer returns a server that is not listening yet; status points at
// the Status field of the simulator's Request (see NewLog).
func NewServer[R any](status func(*R) *int) *Server[R] {
	return &Server[R]{Log: NewLog(status)}
}

// Start listens with h as the handler until the test ends.
func (s *Server[R]) Start(t testing.TB, h http.Handler) {
	s.srv = httptest.NewServer(h)
	t.Cleanup(s.srv.Close)
}

// Close stops listening at once, before the test ends; it may be called
// more than once.
func (s *Server[R]) Close() { s.srv.Close() }

// URL is the base URL of the running server.
func (s *Server[R]) URL() string { return s.srv.URL }

// SetDown marks the simulator down (true) or up again (false). What a down
// simulator answers is its own: Serve drops the connection.
func (s *Server[R]) SetDown(down bool) { s.down.Store(down) }

// Down tells whether SetDown(true) is in force.
func (s *Server[R]) Down() bool { return s.down.Load() }

// Serve is the front door of a simulator that reads each body whole: it
// reads up to maxBody bytes of the body, puts the request on record as
// record describes it, and lets answer answer it through a writer that
// records the status (see Log.Record). While the simulator is down it
// drops the connection instead — through w, so that the record keeps no
// status.
func (s *Server[R]) Serve(w http.ResponseWriter, r *http.Request, maxBody int64,
	record func(r *http.Request, body []byte) R, answer func(w http.ResponseWriter, r *http.Request, body []byte)) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	rec := s.Log.Record(w, record(r, body))
	if s.Down() {
		HangUp(w)
		return
	}
	answer(rec, r, body)
}

// Request is a request as a simulator that reads bodies whole records it,
// for a test's assertions.
type Request struct {
	Method string
	Path   string
	Auth   string // the Authorization header as sent
	Accept string // the Accept header as sent
	Body   string
	Status int       // 0 when SetDown dropped the connection
	At     time.Time // by the simulator's clock
}

// RequestStatus points at a Request's Status, for NewServer.
func RequestStatus(r *Request) *int { return &r.Status }

// Recorder describes a request for Serve, at c's time.
func Recorder(c clock.Clock) func(r *http.Request, body []byte) Request {
	return func(r *http.Request, body []byte) Request {
		return Request{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"),
			Accept: r.Header.Get("Accept"), Body: string(body), At: c.Now()}
	}
}

// Controls are the methods a simulator built on a Server offers its tests;
// it embeds them. The zero value is not usable: take them from the Server.
type Controls[R any] struct{ s *Server[R] }

// Controls returns the test-facing methods of s.
func (s *Server[R]) Controls() Controls[R] { return Controls[R]{s: s} }

// URL is the simulator's base URL, to give the panel client.
func (c Controls[R]) URL() string { return c.s.URL() }

// SetDown makes the simulator drop every connection without an answer, as
// an API that is down or unreachable looks to a client, until
// SetDown(false).
func (c Controls[R]) SetDown(down bool) { c.s.SetDown(down) }

// Requests returns a copy of every request received, in order.
func (c Controls[R]) Requests() []R { return c.s.Log.All() }

// CountStatus counts the requests answered with this status (429: refused
// by a rate limit; 0: dropped while down).
func (c Controls[R]) CountStatus(status int) int { return c.s.Log.CountStatus(status) }

// WriteJSON answers status with v as JSON under contentType, which differs
// by the panel's framework (Express adds "; charset=utf-8"). The body has no
// trailing newline, as PHP's json_encode and JavaScript's JSON.stringify
// write none.
func WriteJSON(w http.ResponseWriter, contentType string, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// A simulator that cannot encode its own answer is broken; say so
		// loudly rather than answer something the panel never would.
		panic("simkit: encoding an answer: " + err.Error())
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// RandomHex returns n random hexadecimal characters, for keys and tokens a
// client cannot guess.
func RandomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b)[:n]
}
