package pterodactyl

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/panelbot/panelbot/internal/panel"
)

// panelWindow is the length of the panel's rate-limit window: Laravel counts
// requests in a fixed window of one minute that opens at the first request.
const panelWindow = time.Minute

// newLimiter paces the client so that no minute, however the panel counts
// it (Laravel: a fixed minute opened by the first request), sees more than
// perMinute requests. A token bucket of burst b and rate r lets b + r·1 min
// through in a minute, so r is (perMinute − b) a minute, not perMinute: the
// burst comes out of the budget, it is not added to it.
func newLimiter(perMinute int) *rate.Limiter {
	burst := min(defaultBurst, max(1, perMinute/5))
	if perMinute <= burst {
		// One a minute: space them a tenth more than a minute, so network
		// jitter cannot put two in one window.
		return rate.NewLimiter(rate.Every(time.Minute+time.Minute/10), 1)
	}
	return rate.NewLimiter(rate.Every(time.Minute/time.Duration(perMinute-burst)), burst)
}

// pace waits for the client's own limiter and, when the panel said its
// window is spent, for that window to end. A wait that would outlast the
// call's deadline fails at once with ErrRateLimited rather than timing out.
func (c *Client) pace(ctx context.Context) error {
	if left := c.pauseLeft(); left > 0 {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < left {
			return &panel.Error{Kind: panel.ErrRateLimited, RetryAfter: left,
				Detail: "the panel's rate-limit window is spent"}
		}
		if err := c.sleep(ctx, left); err != nil {
			return &panel.Error{Kind: panel.ErrUnavailable, RetryAfter: left,
				Detail: "cancelled while waiting for the panel's rate-limit window", Err: err}
		}
	}
	if err := c.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			// Cancelled, not limited: labelled as every other kind does.
			return &panel.Error{Kind: panel.ErrUnavailable, Detail: "cancelled while pacing requests", Err: ctx.Err()}
		}
		return &panel.Error{Kind: panel.ErrRateLimited,
			Detail: "the bot's own request pacing (WithRateLimit)", Err: err}
	}
	return nil
}

func (c *Client) pauseLeft() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pausedUntil.Sub(c.now())
}

// observeRateHeaders follows X-RateLimit-Limit/Remaining: when the panel
// says nothing is left, requests pause until the window it implies ends (the
// X-RateLimit-Reset it gave, else one minute after the request that opened
// the window, else a whole minute). A 429 pauses for its Retry-After, unless
// it says the account still has requests left: then it came from a throttle
// of one route (Pelican limits websocket credentials per server), and
// pausing every call would let one reconnecting console block /status and
// /power on every server.
func (c *Client) observeRateHeaders(resp *http.Response) {
	h := resp.Header
	limit, okLimit := headerInt(h, "X-RateLimit-Limit")
	remaining, okRemaining := headerInt(h, "X-RateLimit-Remaining")
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if okLimit && okRemaining && remaining == limit-1 {
		c.windowStart = now
	}
	var until time.Time
	switch {
	case resp.StatusCode == http.StatusTooManyRequests && okRemaining && remaining > 0:
		return
	case resp.StatusCode == http.StatusTooManyRequests:
		until = now.Add(max(retryAfter(h, now), time.Second))
	case okRemaining && remaining <= 0:
		until = c.windowEnd(h, now)
	default:
		return
	}
	if until.After(c.pausedUntil) {
		c.pausedUntil = until
	}
}

// windowEnd guesses when the panel's spent window reopens; c.mu is held.
func (c *Client) windowEnd(h http.Header, now time.Time) time.Time {
	if reset, ok := resetTime(h); ok && reset.After(now) {
		return now.Add(capWait(reset.Sub(now)))
	}
	if end := c.windowStart.Add(panelWindow); !c.windowStart.IsZero() && end.After(now) {
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
