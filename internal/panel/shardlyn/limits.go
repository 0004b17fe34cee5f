package shardlyn

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

const (
	// maxHeaderWait caps how long a reset announced by the panel can hold
	// requests back, so a skewed clock cannot freeze the bot.
	maxHeaderWait = time.Minute
	// defaultRetryAfter applies to a 429 that says nothing about when.
	defaultRetryAfter = time.Second
)

// observe is the funnel's Observe hook: it holds every request back in the
// bucket for as long as the answer's headers ask (see pause).
func (c *Client) observe(r *httpapi.Request, resp *http.Response) {
	if d := pause(resp.StatusCode, resp.Header, c.api.Now()); d > 0 {
		r.Bucket.Pause(d)
	}
}

// pause follows the headers: an exhausted window (Remaining 0) or a 429
// holds further requests until the announced reset, at most maxHeaderWait.
func pause(status int, h http.Header, now time.Time) time.Duration {
	switch {
	case status == http.StatusTooManyRequests:
		return min(retryAfter(h, now), maxHeaderWait)
	case strings.TrimSpace(h.Get("X-RateLimit-Remaining")) == "0":
		return min(untilReset(h, now), maxHeaderWait)
	}
	return 0
}

// retryAfter reads when a 429 may be retried: Retry-After (seconds or a
// date) when given, else the window's reset, else a second.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return min(secondsDuration(secs), maxHeaderWait)
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampWait(t.Sub(now))
		}
	}
	if d := untilReset(h, now); d > 0 {
		return d
	}
	return defaultRetryAfter
}

// untilReset reads X-RateLimit-Reset: the document shows Unix seconds
// (1706745600); a small number is taken as seconds from now, which some
// gateways send instead.
func untilReset(h http.Header, now time.Time) time.Duration {
	v, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64)
	if err != nil || v <= 0 {
		return 0
	}
	if v < 1e9 {
		return clampWait(time.Duration(min(v, int64(maxHeaderWait/time.Second))) * time.Second)
	}
	return clampWait(time.Unix(v, 0).Sub(now))
}

func clampWait(d time.Duration) time.Duration { return max(0, min(d, maxHeaderWait)) }
