package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// Retrier is the retry policy of a client whose requests queue in a Bucket:
// only GETs are tried again — a power signal or a console command is never
// sent twice — on network errors, timeouts and 5xx with a doubling pause,
// and on a 429 whose Retry-After is short and fits the deadline. Nothing is
// retried past the caller's deadline.
type Retrier struct {
	Tries   int           // how many more times a failed GET is sent
	Backoff time.Duration // the first pause after a network error or 5xx
	// MaxRetryAfter is the longest 429 a GET waits out; past it the rate
	// limit error goes back to the user at once.
	MaxRetryAfter time.Duration
}

// Set is the body of a client's WithRetries option: it refuses counts a
// user could not mean, and a negative pause.
func (p *Retrier) Set(n int, backoff time.Duration) error {
	if n < 0 || n > 10 || backoff < 0 {
		return fmt.Errorf("WithRetries: %d tries after %s: use 0 to 10 and a non-negative pause", n, backoff)
	}
	p.Tries, p.Backoff = n, backoff
	return nil
}

// Do calls send until it succeeds or its failure is not worth another try,
// and returns the last answer or failure.
func (p Retrier) Do(ctx context.Context, method string, send func() ([]byte, error)) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		body, err := send()
		if err == nil {
			return body, nil
		}
		wait, retry := p.wait(ctx, method, err, attempt)
		if !retry || Sleep(ctx, wait) != nil {
			return nil, err
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
		// The Bucket, paused by the 429, does the waiting; the deadline must
		// still leave room for it, so that the 429 is returned rather than
		// "queue full".
		return 0, pe.RetryAfter <= p.MaxRetryAfter && fits(ctx, pe.RetryAfter)
	case errors.Is(pe, panel.ErrUnavailable) && (pe.Status == 0 || pe.Status >= 500):
		wait := p.Backoff << attempt
		return wait, fits(ctx, wait)
	}
	return 0, false
}

// fits reports whether waiting d still leaves Headroom before ctx's deadline.
func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) >= d+Headroom
}

// Sleep waits d on a timer that gives up when ctx ends; it returns at once
// (with ctx's error, if any) when d is not positive.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
func RetryAfterOr(h http.Header, window time.Duration) time.Duration {
	if d, ok := RetryAfter(h, time.Now()); ok {
		return min(max(d, 0), time.Hour)
	}
	return window
}

// QueueError turns a failed Bucket.Wait into the call's error:
// ErrRateLimited when the queue is full, its Message saying when to try
// again (full writes it, in the panel's words), and ErrUnavailable when the
// caller gave up waiting its turn. option names the setting that sizes the
// queue, for the operator's log.
func QueueError(op, option string, err error, full func(after time.Duration) string) *panel.Error {
	var qf *QueueFull
	if errors.As(err, &qf) {
		return &panel.Error{Kind: panel.ErrRateLimited, Op: op, RetryAfter: qf.After,
			Detail:  "the bot's request queue (" + option + ") cannot serve this call before its deadline",
			Message: full(qf.After)}
	}
	return &panel.Error{Kind: panel.ErrUnavailable, Op: op, Detail: "gave up waiting for a slot in the request queue", Err: err}
}
