package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
)

// Retrier is the funnel's retry policy: only GETs are tried again — a power
// signal or a console command is never sent twice — on network errors,
// timeouts and 5xx after Backoff's pause, and on a 429 after its
// Retry-After when that is short and fits the deadline. Nothing is retried
// past the caller's deadline.
type Retrier struct {
	Tries   int            // how many more times a failed GET is sent
	Backoff backoff.Policy // the pause after a network error or 5xx
	// MaxRetryAfter is the longest 429 a GET waits out; past it the rate
	// limit error goes back to the user at once.
	MaxRetryAfter time.Duration
}

// set is the body of WithRetries: it refuses counts a user could not mean,
// and a negative pause. The pause doubles per try.
func (p *Retrier) set(n int, first time.Duration) error {
	if n < 0 || n > 10 || first < 0 {
		return fmt.Errorf("WithRetries: %d tries after %s: use 0 to 10 and a non-negative pause", n, first)
	}
	p.Tries, p.Backoff = n, backoff.Policy{Base: first, Max: first << n}
	return nil
}

// do calls send until it succeeds or its failure is not worth another try,
// and returns the last failure; a wait cut short by ctx is its cause.
func (p Retrier) do(ctx context.Context, clk clock.Clock, method string, send func() error) error {
	for attempt := 0; ; attempt++ {
		err := send()
		if f, ok := err.(final); ok {
			return f.err
		}
		if err == nil {
			return nil
		}
		wait, retry := p.wait(ctx, method, err, attempt)
		if !retry {
			return err
		}
		if serr := backoff.Sleep(ctx, clk, wait); serr != nil {
			return withCause(err, serr)
		}
	}
}

// wait decides whether a failed request is sent again and after how long.
func (p Retrier) wait(ctx context.Context, method string, err error, attempt int) (time.Duration, bool) {
	var pe *panel.Error
	if method != http.MethodGet || attempt >= p.Tries || ctx.Err() != nil || !errors.As(err, &pe) {
		return 0, false
	}
	switch {
	case pe.Status == http.StatusTooManyRequests:
		wait := max(pe.RetryAfter, 0)
		return wait, wait <= p.MaxRetryAfter && fits(ctx, wait)
	case errors.Is(pe, panel.ErrUnavailable) && (pe.Status == 0 || pe.Status >= 500):
		wait := p.Backoff.Delay(attempt)
		return wait, fits(ctx, wait)
	}
	return 0, false
}

// withCause records why waiting for a retry stopped, keeping the kind of
// the failure that was being waited out.
func withCause(err, cause error) error {
	var pe *panel.Error
	if errors.As(err, &pe) && pe.Err == nil {
		pe.Err = cause
	}
	return err
}

// fits reports whether waiting d still leaves headroom before ctx's deadline.
func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) >= d+headroom
}

// RetryAfter reads the Retry-After header, in whole seconds or as an HTTP
// date (measured from now, so possibly negative); ok is false when the
// header is absent or neither. Callers cap the wait to what their panel's
// windows make sensible.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

// RetryAfterOr is how long a 429 asks the bot to wait: its Retry-After,
// capped at an hour, else a whole window of the panel's limit — without a
// header, waiting a window out is the only wait sure to be enough.
func RetryAfterOr(h http.Header, now time.Time, window time.Duration) time.Duration {
	if d, ok := RetryAfter(h, now); ok {
		return min(max(d, 0), time.Hour)
	}
	return window
}

// queueError turns a failed Bucket.Wait into the call's error:
// ErrRateLimited when the queue is full, its Message saying when to try
// again (full writes it, in the panel's words), and ErrUnavailable when the
// caller gave up waiting its turn.
func queueError(op string, err error, full func(after time.Duration) string) *panel.Error {
	var qf *queueFull
	if errors.As(err, &qf) {
		return &panel.Error{Class: panel.ErrRateLimited, Op: op, RetryAfter: qf.after,
			Detail:  "the bot's request queue cannot serve this call before its deadline",
			Message: full(qf.after)}
	}
	return &panel.Error{Class: panel.ErrUnavailable, Op: op, Detail: "gave up waiting for a slot in the request queue", Err: err}
}
