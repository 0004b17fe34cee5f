package serverprism

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// headroom is the least time a request needs once its turn comes: a slot
// that would leave less than this before the caller's deadline is refused at
// once, because the request could not finish anyway.
const headroom = 50 * time.Millisecond

// bucket paces requests so that the panel never sees more than n of them in
// any window of length per, however it counts them (a fixed window that
// resets, or a sliding one), and holds every request back while the panel
// has asked the bot to wait (a 429). A token bucket of burst b and rate r
// lets through at most b + r·per requests in any window of length per, so b
// is kept small and r = (n-b)/per: the long-run pace is a little under the
// documented limit, which is the price of never meeting a 429.
type bucket struct {
	lim     *rate.Limiter
	maxWait time.Duration

	mu          sync.Mutex // orders the clock readings handed to lim
	pausedUntil time.Time
}

func newBucket(n int, per, maxWait time.Duration) *bucket {
	burst := max(1, n/5)
	every := per / time.Duration(max(1, n-burst))
	if n == 1 {
		// One request per window: space them a tenth more than the window,
		// so a little network jitter cannot put two in one window.
		every = per + per/10
	}
	return &bucket{lim: rate.NewLimiter(rate.Every(every), burst), maxWait: maxWait}
}

// queueFull says the request's turn would come too late for its deadline.
type queueFull struct{ after time.Duration }

func (q *queueFull) Error() string {
	return fmt.Sprintf("the request queue is full: the next free slot is in %s", q.after.Round(time.Millisecond))
}

// wait takes a slot, sleeping until it comes. When the slot would come after
// the deadline (the caller's, or maxWait from now when the caller set none)
// it fails at once with *queueFull instead of waiting in vain: a Discord
// command must get a prompt "try again in N s", not hang.
func (b *bucket) wait(ctx context.Context) error {
	res, delay, err := b.reserve(ctx)
	if err != nil || delay <= 0 {
		return err
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		// Give the slot back so the requests behind this one move up.
		b.mu.Lock()
		res.CancelAt(time.Now())
		b.mu.Unlock()
		return ctx.Err()
	}
}

// reserve takes the next slot, or gives it back at once when it would come
// too late. The clock is read under the lock: rate.Limiter counts tokens
// twice when it is handed times out of order, which concurrent callers
// reading the clock first would do.
func (b *bucket) reserve(ctx context.Context) (*rate.Reservation, time.Duration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	res := b.lim.ReserveN(now, 1)
	delay := max(res.DelayFrom(now), b.pausedUntil.Sub(now))
	if delay <= 0 {
		return res, 0, nil
	}
	deadline := now.Add(b.maxWait)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	if now.Add(delay + headroom).After(deadline) {
		res.CancelAt(now)
		return nil, 0, &queueFull{after: delay}
	}
	return res, delay, nil
}

// pause holds every request back until the panel's Retry-After has passed.
func (b *bucket) pause(d time.Duration) {
	until := time.Now().Add(d)
	b.mu.Lock()
	defer b.mu.Unlock()
	if until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}
