package simkit

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// Log is the record of the requests a simulator received, in order, for a
// test's assertions. R is the simulator's own Request type; status points
// at its Status field. The log has its own lock, apart from the
// simulator's, so that a handler holding the simulator's lock can still
// have its answer recorded.
type Log[R any] struct {
	status func(*R) *int

	mu      sync.Mutex
	entries []R
}

// NewLog returns an empty log whose entries keep their status where status
// points.
func NewLog[R any](status func(*R) *int) *Log[R] { return &Log[R]{status: status} }

// Record puts r on record as it arrives — before anything is answered, so
// that a test reading the log after its call returns never misses it — and
// returns the writer to answer through, which records the status before
// the answer leaves.
func (l *Log[R]) Record(w http.ResponseWriter, r R) http.ResponseWriter {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, r)
	return &statusWriter[R]{ResponseWriter: w, log: l, index: len(l.entries) - 1}
}

// All returns a copy of every request received, in order.
func (l *Log[R]) All() []R {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]R(nil), l.entries...)
}

// Count counts the requests that match.
func (l *Log[R]) Count(match func(R) bool) int {
	n := 0
	for _, r := range l.All() {
		if match(r) {
			n++
		}
	}
	return n
}

// CountStatus counts the requests answered with this status; 0 counts those
// not answered at all.
func (l *Log[R]) CountStatus(status int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for i := range l.entries {
		if *l.status(&l.entries[i]) == status {
			n++
		}
	}
	return n
}

// setStatus keeps the first status of an answer: net/http ignores a second
// WriteHeader, and so does the record.
func (l *Log[R]) setStatus(i, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p := l.status(&l.entries[i]); *p == 0 {
		*p = status
	}
}

// statusWriter notes the status of an answer as it is written.
type statusWriter[R any] struct {
	http.ResponseWriter
	log   *Log[R]
	index int
}

func (w *statusWriter[R]) WriteHeader(code int) {
	w.log.setStatus(w.index, code)
	w.ResponseWriter.WriteHeader(code)
}

// Write without WriteHeader answers 200, as net/http does.
func (w *statusWriter[R]) Write(b []byte) (int, error) {
	w.log.setStatus(w.index, http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// Hijack passes the connection through for a websocket upgrade, which
// answers 101 on the connection itself. A simulator that drops the
// connection instead (HangUp) does so on the writer it was given, so that
// the record keeps status 0.
func (w *statusWriter[R]) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.log.setStatus(w.index, http.StatusSwitchingProtocols)
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// HangUp closes the connection without an answer, as an API that is down
// or unreachable looks to a client. Where the connection cannot be taken
// over it answers 503, so that the client still sees a failure.
func HangUp(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	w.WriteHeader(http.StatusServiceUnavailable)
}
