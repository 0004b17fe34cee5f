package fakediscord

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// bucket is one Discord rate-limit bucket: limit requests per window,
// the window starting at the first request, timed by the fake clock.
type bucket struct {
	hash    string
	limit   int
	window  time.Duration
	used    int
	resetAt time.Time
}

// forcedLimit makes the next n matching requests answer 429.
type forcedLimit struct {
	match      func(Request) bool
	left       int
	retryAfter time.Duration
}

// bucketLocked finds the bucket for a route and its top-level resource
// (channel, guild, webhook or interaction), as Discord scopes them.
func (s *Server) bucketLocked(rt *route, args []string) *bucket {
	major := ""
	if len(args) > 0 {
		major = args[0]
	}
	if strings.HasPrefix(rt.pattern, "/webhooks/") || strings.HasPrefix(rt.pattern, "/interactions/") {
		major = args[0] + "/" + args[1]
	}
	key := rt.method + " " + rt.pattern + " " + major
	if b, ok := s.buckets[key]; ok {
		return b
	}
	sum := sha1.Sum([]byte(rt.method + " " + rt.pattern))
	b := &bucket{hash: hex.EncodeToString(sum[:8]), limit: s.cfg.defaultLimit, window: s.cfg.defaultWindow}
	if rt.method == http.MethodPost && rt.pattern == "/channels/{}/messages" {
		b.limit, b.window = s.cfg.msgLimit, s.cfg.msgWindow
	}
	s.buckets[key] = b
	return b
}

// take spends one request, or says how long until the window resets.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	if !now.Before(b.resetAt) {
		b.used, b.resetAt = 0, now.Add(b.window)
	}
	if b.used >= b.limit {
		return false, b.resetAt.Sub(now)
	}
	b.used++
	return true, 0
}

// setHeaders adds the X-RateLimit-* headers every Discord answer carries.
// X-RateLimit-Global is deliberately absent: Discord only sends it on a
// global limit, and clients treat any value as "global".
func (b *bucket) setHeaders(r *reply, now time.Time) {
	if r.header == nil {
		r.header = http.Header{}
	}
	after := b.resetAt.Sub(now)
	if after < 0 {
		after = 0
	}
	r.header.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	r.header.Set("X-RateLimit-Remaining", strconv.Itoa(max(b.limit-b.used, 0)))
	r.header.Set("X-RateLimit-Reset", secs(float64(b.resetAt.UnixMilli())/1000))
	r.header.Set("X-RateLimit-Reset-After", secs(ceilMillis(after)))
	r.header.Set("X-RateLimit-Bucket", b.hash)
}

// limitLocked answers 429 when a forced limit or the bucket says so.
func (s *Server) limitLocked(c *call, b *bucket) (reply, bool) {
	for i, f := range s.forced {
		if !f.match(c.req) {
			continue
		}
		if f.left--; f.left <= 0 {
			s.forced = append(s.forced[:i], s.forced[i+1:]...)
		}
		return tooMany(b, f.retryAfter, c.now), true
	}
	if ok, wait := b.take(c.now); !ok {
		return tooMany(b, wait, c.now), true
	}
	return reply{}, false
}

// globalLocked spends one request of the global limit, which every
// authenticated route shares (interaction callbacks and webhooks are not
// counted, as on Discord), or answers Discord's global 429.
func (s *Server) globalLocked(rt *route, now time.Time) (reply, bool) {
	if rt.open {
		return reply{}, false
	}
	ok, wait := s.global.take(now)
	if ok {
		return reply{}, false
	}
	r := reply{status: http.StatusTooManyRequests, header: http.Header{}, body: map[string]any{
		"message":     "You are being rate limited.",
		"retry_after": ceilMillis(wait),
		"global":      true,
	}}
	r.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	r.header.Set("X-RateLimit-Global", "true")
	r.header.Set("X-RateLimit-Scope", "global")
	return r, true
}

// GlobalRateLimited counts the global 429s given so far (a part of
// RateLimited).
func (s *Server) GlobalRateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.globalLimited
}

// tooMany is Discord's 429 for a per-route ("user") limit.
func tooMany(b *bucket, wait time.Duration, now time.Time) reply {
	r := reply{status: http.StatusTooManyRequests, header: http.Header{}, body: map[string]any{
		"message":     "You are being rate limited.",
		"retry_after": ceilMillis(wait),
		"global":      false,
	}}
	b.setHeaders(&r, now)
	// A forced limit may outlast the bucket's window; report the longer wait.
	if b.resetAt.Sub(now) < wait {
		r.header.Set("X-RateLimit-Reset-After", secs(ceilMillis(wait)))
		r.header.Set("X-RateLimit-Reset", secs(float64(now.Add(wait).UnixMilli())/1000))
	}
	r.header.Set("X-RateLimit-Remaining", "0")
	r.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	r.header.Set("X-RateLimit-Scope", "user")
	return r
}

// ceilMillis rounds up to whole milliseconds, in seconds, so a client
// that waits exactly that long is never early.
func ceilMillis(d time.Duration) float64 {
	return math.Ceil(float64(d)/float64(time.Millisecond)) / 1000
}

func secs(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// RateLimitNext makes the next n requests that match answer 429 with
// retryAfter, whatever their bucket says; see Route for a matcher.
func (s *Server) RateLimitNext(match func(Request) bool, n int, retryAfter time.Duration) {
	if n <= 0 || match == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = append(s.forced, &forcedLimit{match: match, left: n, retryAfter: retryAfter})
}
