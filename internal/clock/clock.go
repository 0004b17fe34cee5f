// Package clock is the one notion of time the bot's timing code reads, so
// that tests can move time by hand (internal/manualclock) where real sockets
// are involved, and use testing/synctest everywhere else.
package clock

import "time"

// Clock tells the time and waits on it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Real is the wall clock.
type Real struct{}

// Now is time.Now.
func (Real) Now() time.Time { return time.Now() }

// After is time.After.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }
