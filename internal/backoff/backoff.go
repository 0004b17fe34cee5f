// Package backoff is the one retry pause of the bot: every reconnect loop and
// every retried request waits Policy.Delay(attempt) between tries.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
)

// Policy is capped exponential backoff with jitter: attempt 0 waits about
// Base, each further attempt doubles it up to Max.
type Policy struct {
	Base time.Duration
	Max  time.Duration
	// Jitter shortens each wait at random by up to this fraction (0 to 1),
	// so that many clients cut off together do not return together.
	Jitter float64
}

// Default suits reconnecting to a node or a gateway: 1 s doubling to 2 min,
// each wait shortened by up to half.
var Default = Policy{Base: time.Second, Max: 2 * time.Minute, Jitter: 0.5}

// Delay is the wait before retry number attempt (0-based).
func (p Policy) Delay(attempt int) time.Duration {
	d := p.Max
	if attempt < 0 {
		attempt = 0
	}
	if attempt < 62 && p.Base<<attempt > 0 && p.Base<<attempt < p.Max {
		d = p.Base << attempt
	}
	if p.Jitter > 0 && d > 0 {
		cut := time.Duration(float64(d) * min(p.Jitter, 1))
		d -= rand.N(cut + 1)
	}
	return d
}

// Sleep waits d on clk, returning early with ctx's error when it ends.
func Sleep(ctx context.Context, clk clock.Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-clk.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
