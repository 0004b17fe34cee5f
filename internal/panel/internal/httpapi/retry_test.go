package httpapi

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
)

// failing answers err to every call and counts the calls.
func failing(err error) (func() error, *int) {
	n := 0
	return func() error { n++; return err }, &n
}

func TestRetrierTriesOnlyWhatIsSafe(t *testing.T) {
	p := Retrier{Tries: 2, Backoff: backoff.Policy{Base: time.Millisecond, Max: time.Second}, MaxRetryAfter: time.Second}
	tests := []struct {
		name   string
		method string
		err    error
		calls  int
	}{
		{"5xx GET", http.MethodGet, &panel.Error{Class: panel.ErrUnavailable, Status: 502}, 3},
		{"network GET", http.MethodGet, &panel.Error{Class: panel.ErrUnavailable}, 3},
		{"short 429 GET", http.MethodGet, &panel.Error{Class: panel.ErrRateLimited, Status: 429, RetryAfter: time.Second}, 3},
		{"long 429 GET", http.MethodGet, &panel.Error{Class: panel.ErrRateLimited, Status: 429, RetryAfter: 2 * time.Second}, 1},
		{"5xx POST", http.MethodPost, &panel.Error{Class: panel.ErrUnavailable, Status: 500}, 1},
		{"429 POST", http.MethodPost, &panel.Error{Class: panel.ErrRateLimited, Status: 429}, 1},
		{"4xx GET", http.MethodGet, &panel.Error{Class: panel.ErrNotFound, Status: 404}, 1},
		{"unavailable 4xx GET", http.MethodGet, &panel.Error{Class: panel.ErrUnavailable, Status: 412}, 1},
		{"not a panel error", http.MethodGet, errors.New("x"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			send, calls := failing(tt.err)
			err := p.do(context.Background(), clock.Real{}, tt.method, send)
			assert.Equal(t, tt.err, err, "the last failure is returned")
			assert.Equal(t, tt.calls, *calls)
		})
	}
}

func TestRetrierStopsAtTheDeadline(t *testing.T) {
	p := Retrier{Tries: 5, Backoff: backoff.Policy{Base: time.Hour, Max: time.Hour}, MaxRetryAfter: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	send, calls := failing(&panel.Error{Class: panel.ErrUnavailable, Status: 503})
	start := time.Now()
	err := p.do(ctx, clock.Real{}, http.MethodGet, send)
	require.Error(t, err)
	assert.Equal(t, 1, *calls, "an hour's pause does not fit a minute")
	assert.Less(t, time.Since(start), time.Second)

	send, calls = failing(&panel.Error{Class: panel.ErrRateLimited, Status: 429, RetryAfter: 2 * time.Minute})
	_ = p.do(ctx, clock.Real{}, http.MethodGet, send)
	assert.Equal(t, 1, *calls, "a 429 that outlasts the deadline is given back")

	p.Backoff = backoff.Policy{Base: 10 * time.Millisecond, Max: time.Second}
	cctx, ccancel := context.WithCancel(context.Background())
	n := 0
	err = p.do(cctx, clock.Real{}, http.MethodGet, func() error {
		n++
		ccancel()
		return &panel.Error{Class: panel.ErrUnavailable}
	})
	require.Error(t, err)
	assert.Equal(t, 1, n, "a cancelled caller is not retried")
}

func TestRetrierReturnsTheFirstSuccess(t *testing.T) {
	p := Retrier{Tries: 2, Backoff: backoff.Policy{Base: time.Millisecond, Max: time.Second}}
	n := 0
	err := p.do(context.Background(), clock.Real{}, http.MethodGet, func() error {
		if n++; n < 2 {
			return &panel.Error{Class: panel.ErrUnavailable, Status: 500}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func TestRetrierSetRefusesNonsense(t *testing.T) {
	var p Retrier
	assert.EqualError(t, p.set(-1, 0), "WithRetries: -1 tries after 0s: use 0 to 10 and a non-negative pause")
	assert.Error(t, p.set(11, 0))
	assert.Error(t, p.set(1, -time.Second))
	require.NoError(t, p.set(3, time.Second))
	assert.Equal(t, Retrier{Tries: 3, Backoff: backoff.Policy{Base: time.Second, Max: 8 * time.Second}}, p)
}

// TestRetryWaitsOnTheClock: the pause between tries is the policy's, taken
// on the client's clock, so a test moves time by hand instead of sleeping.
func TestRetryWaitsOnTheClock(t *testing.T) {
	clk := manualclock.New(time.Unix(0, 0))
	p := Retrier{Tries: 2, Backoff: backoff.Policy{Base: time.Second, Max: time.Minute}, MaxRetryAfter: 5 * time.Second}
	send, calls := failing(&panel.Error{Class: panel.ErrUnavailable, Status: 503})
	done := make(chan error, 1)
	go func() { done <- p.do(context.Background(), clk, http.MethodGet, send) }()
	for _, d := range []time.Duration{time.Second, 2 * time.Second} {
		require.Eventually(t, func() bool { return clk.Pending() == 1 }, 5*time.Second, time.Millisecond)
		clk.Advance(d)
	}
	require.Error(t, <-done)
	assert.Equal(t, 3, *calls)

	send, calls = failing(&panel.Error{Class: panel.ErrRateLimited, Status: 429, RetryAfter: 3 * time.Second})
	go func() { done <- p.do(context.Background(), clk, http.MethodGet, send) }()
	require.Eventually(t, func() bool { return clk.Pending() == 1 }, 5*time.Second, time.Millisecond)
	clk.Advance(2 * time.Second)
	assert.Equal(t, 1, *calls, "Retry-After is honoured")
	clk.Advance(time.Second)
	require.Eventually(t, func() bool { return clk.Pending() == 1 }, 5*time.Second, time.Millisecond)
	clk.Advance(3 * time.Second)
	require.Error(t, <-done)
	assert.Equal(t, 3, *calls)
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 27, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"Wed, 21 Oct 2015 07:28:00 GMT", time.Minute, true},
		{"Wed, 21 Oct 2015 07:26:00 GMT", -time.Minute, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		h.Set("Retry-After", tt.header)
		d, ok := RetryAfter(h, now)
		assert.Equal(t, tt.ok, ok, tt.header)
		assert.Equal(t, tt.want, d, tt.header)
	}
	d, ok := RetryAfter(http.Header{}, now)
	assert.False(t, ok)
	assert.Zero(t, d)
}

func TestRetryAfterOrCapsAndFallsBack(t *testing.T) {
	h := http.Header{}
	assert.Equal(t, 10*time.Second, RetryAfterOr(h, time.Now(), 10*time.Second), "no header: a whole window")
	h.Set("Retry-After", "42")
	assert.Equal(t, 42*time.Second, RetryAfterOr(h, time.Now(), time.Minute))
	h.Set("Retry-After", "999999")
	assert.Equal(t, time.Hour, RetryAfterOr(h, time.Now(), time.Minute))
	h.Set("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")
	assert.Zero(t, RetryAfterOr(h, time.Now(), time.Minute), "a date in the past: no wait, never a negative one")
}

func TestQueueError(t *testing.T) {
	full := func(after time.Duration) string { return "try again in " + after.String() }
	e := queueError("list servers", &queueFull{after: 3 * time.Second}, full)
	assert.ErrorIs(t, e, panel.ErrRateLimited)
	assert.Equal(t, 3*time.Second, e.RetryAfter)
	assert.Equal(t, "try again in 3s", e.Message)
	assert.Contains(t, e.Detail, "the bot's request queue")
	assert.Equal(t, "list servers", e.Op)

	e = queueError("list servers", context.Canceled, full)
	assert.ErrorIs(t, e, panel.ErrUnavailable)
	assert.ErrorIs(t, e, context.Canceled)
}
