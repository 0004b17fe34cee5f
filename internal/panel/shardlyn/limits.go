package shardlyn

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/panelbot/panelbot/internal/panel"
)

const (
	// maxHeaderWait caps how long a reset announced by the panel can hold
	// requests back, so a skewed clock cannot freeze the bot.
	maxHeaderWait = time.Minute
	// defaultRetryAfter applies to a 429 that says nothing about when.
	defaultRetryAfter = time.Second
)

// pacer keeps the bot inside Shardlyn's rate limit: a client-side token
// bucket, plus whatever the X-RateLimit-* headers of the last answer said.
type pacer struct {
	lim   *rate.Limiter
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	mu    sync.Mutex
	until time.Time // the panel said: nothing before this
}

func newPacer(rps float64, burst int, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	return &pacer{lim: rate.NewLimiter(rate.Limit(rps), burst), now: now, sleep: sleep}
}

// wait holds the request until it may be sent. When that is beyond the
// call's deadline it is not sent at all, and the user is told when to retry.
func (p *pacer) wait(ctx context.Context, op string) error {
	if d := p.blocked(); d > 0 {
		if err := p.pause(ctx, op, d); err != nil {
			return err
		}
	}
	now := p.now()
	res := p.lim.ReserveN(now, 1)
	d := res.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if !fits(ctx, d) {
		res.CancelAt(now)
		return limited(op, d)
	}
	return p.pause(ctx, op, d)
}

func (p *pacer) pause(ctx context.Context, op string, d time.Duration) error {
	if !fits(ctx, d) {
		return limited(op, d)
	}
	if err := p.sleep(ctx, d); err != nil {
		return &panel.Error{Kind: panel.ErrRateLimited, Op: op, RetryAfter: d, Err: err}
	}
	return nil
}

func limited(op string, d time.Duration) error {
	return &panel.Error{Kind: panel.ErrRateLimited, Op: op, RetryAfter: d, Detail: "held back by the bot to respect the rate limit"}
}

func (p *pacer) blocked() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.until.Sub(p.now())
}

// observe follows the headers: an exhausted window (Remaining 0) or a 429
// holds further requests until the announced reset.
func (p *pacer) observe(status int, h http.Header) {
	var d time.Duration
	switch {
	case status == http.StatusTooManyRequests:
		d = p.retryAfter(h)
	case strings.TrimSpace(h.Get("X-RateLimit-Remaining")) == "0":
		d = p.untilReset(h)
	}
	if d <= 0 {
		return
	}
	p.mu.Lock()
	if until := p.now().Add(min(d, maxHeaderWait)); until.After(p.until) {
		p.until = until
	}
	p.mu.Unlock()
}

// retryAfter reads when a 429 may be retried: Retry-After (seconds or a
// date) when given, else the window's reset, else a second.
func (p *pacer) retryAfter(h http.Header) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return min(secondsDuration(secs), maxHeaderWait)
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampWait(t.Sub(p.now()))
		}
	}
	if d := p.untilReset(h); d > 0 {
		return d
	}
	return defaultRetryAfter
}

// untilReset reads X-RateLimit-Reset: the document shows Unix seconds
// (1706745600); a small number is taken as seconds from now, which some
// gateways send instead.
func (p *pacer) untilReset(h http.Header) time.Duration {
	v, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64)
	if err != nil || v <= 0 {
		return 0
	}
	if v < 1e9 {
		return clampWait(time.Duration(min(v, int64(maxHeaderWait/time.Second))) * time.Second)
	}
	return clampWait(time.Unix(v, 0).Sub(p.now()))
}

func clampWait(d time.Duration) time.Duration { return max(0, min(d, maxHeaderWait)) }
