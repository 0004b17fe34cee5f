package pterodactyl

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// panelWindow is the length of the panel's rate-limit window: Laravel counts
// requests in a fixed window of one minute that opens at the first request.
// The client's own bucket keeps to perMinute in any window of this length.
const panelWindow = time.Minute

// window is what the panel's X-RateLimit-* headers told of its current
// window.
type window struct {
	mu    sync.Mutex
	start time.Time // first request of the panel's current window
}

// observe is the funnel's Observe hook: it holds every request back in the
// bucket for as long as the panel's answer asks (see pause).
func (c *Client) observe(r *httpapi.Request, resp *http.Response) {
	if d := c.window.pause(resp.StatusCode, resp.Header, c.api.Now()); d > 0 {
		r.Bucket.Pause(d)
	}
}

// pause follows X-RateLimit-Limit/Remaining: when the panel says nothing is
// left, requests pause until the window it implies ends (the
// X-RateLimit-Reset it gave, else one minute after the request that opened
// the window, else a whole minute). A 429 pauses for its Retry-After (at
// least a second), unless it says the account still has requests left:
// then it came from a throttle of one route (Pelican limits websocket
// credentials per server), and pausing every call would let one
// reconnecting console block /status and /power on every server.
func (w *window) pause(status int, h http.Header, now time.Time) time.Duration {
	limit, okLimit := headerInt(h, "X-RateLimit-Limit")
	remaining, okRemaining := headerInt(h, "X-RateLimit-Remaining")
	w.mu.Lock()
	defer w.mu.Unlock()
	if okLimit && okRemaining && remaining == limit-1 {
		w.start = now
	}
	switch {
	case status == http.StatusTooManyRequests && okRemaining && remaining > 0:
		return 0
	case status == http.StatusTooManyRequests:
		return max(retryAfter(h, now), time.Second)
	case okRemaining && remaining <= 0:
		return w.end(h, now).Sub(now)
	}
	return 0
}

// end guesses when the panel's spent window reopens; w.mu is held.
func (w *window) end(h http.Header, now time.Time) time.Time {
	if reset, ok := resetTime(h); ok && reset.After(now) {
		return now.Add(capWait(reset.Sub(now)))
	}
	if end := w.start.Add(panelWindow); !w.start.IsZero() && end.After(now) {
		return end
	}
	return now.Add(panelWindow)
}

func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}
