package main

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// discord answers POST /api/v9/channels/{id}/messages like Discord as far
// as pacing goes: a per-channel bucket of limit messages per window (the
// window starting at its first request), X-RateLimit-* headers on every
// answer, 429 with retry_after beyond. Bodies are read and thrown away.
type discord struct {
	limit  int
	window time.Duration

	mu       sync.Mutex
	buckets  map[string]*bucket
	rejected int
}

type bucket struct {
	used    int
	resetAt time.Time
}

func newDiscord(limit int, window time.Duration) *discord {
	return &discord{limit: limit, window: window, buckets: map[string]*bucket{}}
}

func (d *discord) limited() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rejected
}

func (d *discord) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v9/channels/")
	ch, tail, _ := strings.Cut(rest, "/")
	if !ok || r.Method != http.MethodPost || tail != "messages" {
		http.Error(w, `{"message": "404: Not Found", "code": 0}`, http.StatusNotFound)
		return
	}
	allowed, remaining, after := d.take(ch, time.Now())
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-RateLimit-Limit", strconv.Itoa(d.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset-After", secs(after))
	h.Set("X-RateLimit-Reset", secs(float64(time.Now().UnixMilli())/1000+after))
	h.Set("X-RateLimit-Bucket", "messages-"+ch)
	if !allowed {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(after))))
		h.Set("X-RateLimit-Scope", "user")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"message": "You are being rate limited.", "retry_after": %s, "global": false}`, secs(after))
		return
	}
	fmt.Fprintf(w, `{"id": "1", "channel_id": %q, "content": ""}`, ch)
}

// take spends one message of the channel's bucket.
func (d *discord) take(ch string, now time.Time) (ok bool, remaining int, after float64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.buckets[ch]
	if b == nil {
		b = &bucket{}
		d.buckets[ch] = b
	}
	if !now.Before(b.resetAt) {
		b.used, b.resetAt = 0, now.Add(d.window)
	}
	after = math.Ceil(float64(b.resetAt.Sub(now))/float64(time.Millisecond)) / 1000
	if b.used >= d.limit {
		d.rejected++
		return false, 0, after
	}
	b.used++
	return true, d.limit - b.used, after
}

func secs(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }
