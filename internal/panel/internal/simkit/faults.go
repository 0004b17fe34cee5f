package simkit

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a failure a test asked for: the next requests whose path starts
// with Prefix ("" for any) answer Status, with Message where the simulator
// takes one ("" for its own text for the status).
type Fault struct {
	Prefix  string
	Status  int
	Message string
	left    int
}

// Faults are the failures a test injected, served first come first served.
// They have their own lock, so that a simulator need not hold its own.
type Faults struct {
	mu   sync.Mutex
	list []Fault
}

// Add makes the next n requests whose path starts with prefix fail; n < 1
// makes none fail.
func (f *Faults) Add(prefix string, status int, message string, n int) {
	if n < 1 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list = append(f.list, Fault{Prefix: prefix, Status: status, Message: message, left: n})
}

// Take returns the failure this request must answer with, if any, and
// counts it spent; spent failures are forgotten.
func (f *Faults) Take(path string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.list {
		fault := &f.list[i]
		if !strings.HasPrefix(path, fault.Prefix) {
			continue
		}
		out := *fault
		if fault.left--; fault.left <= 0 {
			f.list = append(f.list[:i], f.list[i+1:]...)
		}
		return out, true
	}
	return Fault{}, false
}

// Window counts requests in a sliding window, the strictest reading of a
// documented "n per period": no client that keeps to it can be refused by
// a fixed window either. It has no lock: the simulator holds its own.
type Window struct {
	hits []time.Time // accepted requests still inside the window
}

// Admit counts a request made at now against at most limit in any window
// of length per. When the window is full it refuses, saying how long until
// the oldest request leaves it.
func (w *Window) Admit(now time.Time, limit int, per time.Duration) (time.Duration, bool) {
	start := now.Add(-per)
	kept := w.hits[:0]
	for _, t := range w.hits {
		if t.After(start) {
			kept = append(kept, t)
		}
	}
	w.hits = kept
	if len(w.hits) >= limit {
		return w.hits[0].Sub(start), false
	}
	w.hits = append(w.hits, now)
	return 0, true
}

// RetryAfter is the Retry-After header for a wait: whole seconds, rounded
// up, so that a client honouring it is not refused again.
func RetryAfter(d time.Duration) string { return strconv.Itoa(int(math.Ceil(d.Seconds()))) }
