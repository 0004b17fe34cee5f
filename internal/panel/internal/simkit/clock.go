// Package simkit is the plumbing the panel simulators share: the record of
// the requests a simulator received, failures a test injects, a sliding
// rate-limit window, a dropped connection, and a hand-moved clock. Each
// simulator keeps the panel's own behaviour (routes, bodies, texts); only
// what is the same for all of them lives here.
package simkit

import (
	"context"
	"sync"
	"time"
)

// Clock is a manual clock shared by a test, its client and its simulator,
// so that tokens expire and rate-limit windows turn without real waiting.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at start; tests pick a fixed time so that what
// they assert on (a Unix time in a header) does not depend on when they run.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Sleep advances the clock by d at once, for clients whose waits should
// cost no real time; it fails only when ctx has ended.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.Advance(d)
	}
	return nil
}
