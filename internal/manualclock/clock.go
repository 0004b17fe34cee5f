// Package manualclock is the hand-moved clock the tests, fakes and
// simulators share: time moves only when a test calls Advance, so token
// expiries, rate-limit windows and retry waits happen at once and in a
// known order, with no sleeping.
package manualclock

import (
	"context"
	"sync"
	"time"
)

// Clock is a manual clock. Its zero value is not usable; call New.
type Clock struct {
	// advancing serialises Advance calls, so that time only moves forward
	// while the callbacks of one Advance run without mu held.
	advancing sync.Mutex

	mu     sync.Mutex
	now    time.Time
	timers []timer
	funcs  []*Timer
	seq    uint64
}

type timer struct {
	at time.Time
	ch chan time.Time
}

// Timer is a callback registered with AfterFunc.
type Timer struct {
	c   *Clock
	at  time.Time
	seq uint64 // ties between callbacks due at the same instant keep registration order
	f   func()
}

// New starts a clock at start. Tests pick a fixed time so that what they
// assert on (a Unix time in a header) does not depend on when they run.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the clock's time once Advance has
// moved it d forward (at once when d ≤ 0), like time.After.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, timer{at: c.now.Add(d), ch: ch})
	return ch
}

// AfterFunc registers f to run once the clock reaches now+d, like
// time.AfterFunc. Advance runs due callbacks one by one, in time order, on
// its own goroutine, with Now reading the callback's due time; a callback
// may register further callbacks, and those run in the same Advance when
// they fall due before its end. That is what lets a ticker built on
// AfterFunc tick at every period inside one long Advance, as a real ticker
// would. A d ≤ 0 runs f at the next Advance.
func (c *Clock) AfterFunc(d time.Duration, f func()) *Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &Timer{c: c, at: c.now.Add(max(d, 0)), seq: c.seq, f: f}
	c.funcs = append(c.funcs, t)
	return t
}

// Stop cancels the callback; it reports whether it had not run yet.
func (t *Timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	for i, f := range t.c.funcs {
		if f == t {
			t.c.funcs = append(t.c.funcs[:i], t.c.funcs[i+1:]...)
			return true
		}
	}
	return false
}

// Advance moves the clock forward by d, running the AfterFunc callbacks due
// on the way at their own times, then fires the After timers now due (with
// the final time).
func (c *Clock) Advance(d time.Duration) {
	c.advancing.Lock()
	defer c.advancing.Unlock()
	c.mu.Lock()
	target := c.now.Add(d)
	for {
		t := c.nextFuncLocked(target)
		if t == nil {
			break
		}
		if t.at.After(c.now) {
			c.now = t.at
		}
		c.mu.Unlock()
		t.f() // without mu: the callback reads the clock and registers more
		c.mu.Lock()
	}
	defer c.mu.Unlock()
	c.now = target
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}

// nextFuncLocked removes and returns the earliest callback due by target.
func (c *Clock) nextFuncLocked(target time.Time) *Timer {
	best := -1
	for i, t := range c.funcs {
		if t.at.After(target) {
			continue
		}
		if best < 0 || t.at.Before(c.funcs[best].at) || t.at.Equal(c.funcs[best].at) && t.seq < c.funcs[best].seq {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	t := c.funcs[best]
	c.funcs = append(c.funcs[:best], c.funcs[best+1:]...)
	return t
}

// Pending counts the After timers that have not fired, so a test can wait
// until the code under test is parked on the clock before moving it.
// AfterFunc callbacks are not counted: nothing is parked on them.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
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
