package shardlyn

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client; New rejects invalid values with a config error.
type Option func(*Client) error

// WithHTTPClient replaces the HTTP client (proxies, custom TLS). It should
// not follow redirects, which would carry the token elsewhere.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("the HTTP client is nil")
		}
		c.hc = hc
		return nil
	}
}

// WithTimeout bounds each call, retries included (default 10 s).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return errors.New("the timeout must be positive")
		}
		c.timeout = d
		return nil
	}
}

// WithClock injects the clock that ages access tokens and rate-limit
// windows, so tests can cross a token's expiry without waiting.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("the clock is nil")
		}
		c.now = now
		return nil
	}
}

// WithSleep injects how the client waits (retry pauses, rate limits), so
// tests wait on their own clock.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		if sleep == nil {
			return errors.New("the sleep function is nil")
		}
		c.sleep = sleep
		return nil
	}
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
