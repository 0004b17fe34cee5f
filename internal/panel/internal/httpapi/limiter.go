package httpapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Headroom is the least time a request needs once its turn comes: a slot
// that would leave less than this before the caller's deadline is refused at
// once, because the request could not finish anyway. Retry decisions keep
// the same margin.
const Headroom = 50 * time.Millisecond

// Bucket paces requests so that the panel never sees more than n of them in
// any window of length per, however it counts them (a fixed window that
// resets, or a sliding one), and holds every request back while the panel
// has asked the bot to wait (a 429). A token bucket of burst b and rate r
// lets through at most b + r·per requests in any window of length per, so b
// is kept small and r = (n-b)/per: the long-run pace is a little under the
// documented limit, which is the price of never meeting a 429.
type Bucket struct {
	lim     *rate.Limiter
	maxWait time.Duration

	mu          sync.Mutex // orders the clock readings handed to lim
	pausedUntil time.Time
}

// NewBucket sizes a bucket for at most n requests in any window of length
// per; a request waits at most maxWait for its turn when the caller's
// context has no earlier deadline.
func NewBucket(n int, per, maxWait time.Duration) *Bucket {
	burst := max(1, n/5)
	every := per / time.Duration(max(1, n-burst))
	if n == 1 {
		// One request per window: space them a tenth more than the window,
		// so a little network jitter cannot put two in one window.
		every = per + per/10
	}
	return &Bucket{lim: rate.NewLimiter(rate.Every(every), burst), maxWait: maxWait}
}

// QueueFull says the request's turn would come too late for its deadline;
// After is how long until the next free slot.
type QueueFull struct{ After time.Duration }

func (q *QueueFull) Error() string {
	return fmt.Sprintf("the request queue is full: the next free slot is in %s", q.After.Round(time.Millisecond))
}

// Wait takes a slot, sleeping until it comes. When the slot would come after
// the deadline (the caller's, or maxWait from now when the caller set none)
// it fails at once with *QueueFull instead of waiting in vain: a Discord
// command must get a prompt "try again in N s", not hang.
func (b *Bucket) Wait(ctx context.Context) error {
	res, delay, err := b.reserve(ctx)
	if err != nil || delay <= 0 {
		return err
	}
	if err := Sleep(ctx, delay); err != nil {
		// Give the slot back so the requests behind this one move up.
		b.mu.Lock()
		res.CancelAt(time.Now())
		b.mu.Unlock()
		return err
	}
	return nil
}

// reserve takes the next slot, or gives it back at once when it would come
// too late. The clock is read under the lock: rate.Limiter counts tokens
// twice when it is handed times out of order, which concurrent callers
// reading the clock first would do.
func (b *Bucket) reserve(ctx context.Context) (*rate.Reservation, time.Duration, error) {
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
	if now.Add(delay + Headroom).After(deadline) {
		res.CancelAt(now)
		return nil, 0, &QueueFull{After: delay}
	}
	return res, delay, nil
}

// QueueContext is the context to wait for a turn in: it ends when a quarter
// of what is left of ctx remains, so that a request whose turn comes still
// has time to be answered. Without it a call bounded by its timeout could
// get its turn a moment before its deadline, spend a slot of the panel's
// limit and then report that the panel "did not answer in time".
func QueueContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-time.Until(dl)/4))
}

// Pause holds every request back until the panel's Retry-After has passed.
func (b *Bucket) Pause(d time.Duration) {
	until := time.Now().Add(d)
	b.mu.Lock()
	defer b.mu.Unlock()
	if until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}
