package shardlyn

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// Option configures a Client; New rejects invalid values with a config error.
type Option func(*Client) error

// WithHTTPClient replaces the HTTP client (proxies, custom TLS). It is
// copied and the copy refuses redirects, which would carry the token to a
// place the owner did not configure.
func WithHTTPClient(hc *http.Client) Option { return funnel(httpapi.WithHTTPClient(hc)) }

// WithTimeout bounds each call, retries included (default 10 s).
func WithTimeout(d time.Duration) Option { return funnel(httpapi.WithTimeout(d)) }

// funnel applies one of the options every panel client offers alike.
func funnel(s httpapi.Setting) Option { return func(c *Client) error { return s(&c.api) } }

// WithClock sets how the client reads the time (token ages, rate-limit
// windows), so tests can cross a token's expiry without waiting. With
// WithSleep it makes the one clock.Clock every wait of the client is taken
// on; tests pass a hand-moved clock's Now and Sleep.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("WithClock: the clock is nil")
		}
		c.clk.now = now
		return nil
	}
}

// WithSleep sets how the client waits (retry pauses, its turn in the rate
// limit), so tests wait on their own clock; see WithClock.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		if sleep == nil {
			return errors.New("WithSleep: the sleep function is nil")
		}
		c.clk.sleep = sleep
		return nil
	}
}

// sleepClock is the clock.Clock that WithClock and WithSleep make together.
type sleepClock struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// complete fills what was not set with the wall clock's.
func (s sleepClock) complete() sleepClock {
	if s.now == nil {
		s.now = time.Now
	}
	if s.sleep == nil {
		s.sleep = func(ctx context.Context, d time.Duration) error { return backoff.Sleep(ctx, clock.Real{}, d) }
	}
	return s
}

// Now reads the time.
func (s sleepClock) Now() time.Time { return s.now() }

// After fires once sleep has waited d. The wait does not hold its caller:
// one who gives up (backoff.Sleep, on its context) stops listening, and
// the sleep ends on its own.
func (s sleepClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	go func() {
		if s.sleep(context.Background(), d) == nil {
			ch <- s.now()
		}
	}()
	return ch
}

// WithRateLimit sets the client-side pace: requests per second and burst
// (default 5/s, burst 10), on top of what the panel's headers say.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *Client) error {
		if perSecond <= 0 || burst < 1 {
			return errors.New("the rate limit needs a positive rate and a burst of at least 1")
		}
		c.rps, c.burst = perSecond, burst
		return nil
	}
}

// WithLogger sets where token renewals and their failures are logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("the logger is nil")
		}
		c.log = l
		return nil
	}
}
