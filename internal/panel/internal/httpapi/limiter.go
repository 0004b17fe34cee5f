package httpapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
)

// headroom is the least time a request needs once its turn comes: a slot
// that would leave less than this before the caller's deadline is refused at
// once, because the request could not finish anyway. Retry decisions keep
// the same margin.
const headroom = 50 * time.Millisecond

// Bucket paces requests so that the panel never sees more than n of them in
// any window of length per, however it counts them (a fixed window that
// resets, or a sliding one), and holds every request back while the panel
// has asked the bot to wait (a 429, or rate-limit headers saying the window
// is spent). A token bucket of burst b and rate r lets through at most
// b + r·per requests in any window of length per, so b is kept small and
// r = (n-b)/per: the long-run pace is a little under the documented limit,
// which is the price of never meeting a 429.
type Bucket struct {
	lim     *rate.Limiter
	clk     clock.Clock
	maxWait time.Duration

	mu          sync.Mutex // orders the clock readings handed to lim
	pausedUntil time.Time
}

// NewBucket sizes a bucket on the funnel's clock for at most n requests in
// any window of length per, with a burst of at most maxBurst; a request
// waits at most MaxWait for its turn (see Wait).
func (c *Client) NewBucket(n, maxBurst int, per time.Duration) *Bucket {
	burst := max(1, min(maxBurst, n/5))
	every := per / time.Duration(max(1, n-burst))
	if n <= burst {
		// One request per window: space them a tenth more than the window,
		// so a little network jitter cannot put two in one window.
		burst, every = 1, per+per/10
	}
	return c.newBucket(rate.Every(every), burst)
}

// NewRateBucket is a bucket on the funnel's clock that lets perSecond
// requests a second through after a burst of burst, for a panel whose
// limit is stated so rather than as n per window.
func (c *Client) NewRateBucket(perSecond float64, burst int) *Bucket {
	return c.newBucket(rate.Limit(perSecond), burst)
}

func (c *Client) newBucket(r rate.Limit, burst int) *Bucket {
	return &Bucket{lim: rate.NewLimiter(r, burst), clk: c.clock(), maxWait: c.MaxWait}
}

// queueFull says the request's turn would come too late for its deadline;
// after is how long until the next free slot.
type queueFull struct{ after time.Duration }

func (q *queueFull) Error() string {
	return fmt.Sprintf("the request queue is full: the next free slot is in %s", q.after.Round(time.Millisecond))
}

// wait takes a slot, sleeping until it comes. When the slot would come after
// the deadline (the caller's, or maxWait from now when that is earlier) it
// fails at once with *queueFull instead of waiting in vain: a Discord
// command must get a prompt "try again in N s", not hang.
func (b *Bucket) wait(ctx context.Context) error {
	res, delay, err := b.reserve(ctx)
	if err != nil || delay <= 0 {
		return err
	}
	if err := backoff.Sleep(ctx, b.clk, delay); err != nil {
		// Give the slot back so the requests behind this one move up.
		b.mu.Lock()
		res.CancelAt(b.clk.Now())
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
	now := b.clk.Now()
	res := b.lim.ReserveN(now, 1)
	delay := max(res.DelayFrom(now), b.pausedUntil.Sub(now))
	if delay <= 0 {
		return res, 0, nil
	}
	// maxWait 0 leaves the bound to the caller's deadline alone.
	limit, bounded := b.maxWait, b.maxWait > 0
	if dl, ok := ctx.Deadline(); ok && (!bounded || time.Until(dl) < limit) {
		limit, bounded = time.Until(dl), true
	}
	if bounded && delay+headroom > limit {
		res.CancelAt(now)
		return nil, 0, &queueFull{after: delay}
	}
	return res, delay, nil
}

// queueContext is the context to wait for a turn in: it ends when a quarter
// of what is left of ctx remains, so that a request whose turn comes still
// has time to be answered. Without it a call bounded by its timeout could
// get its turn a moment before its deadline, spend a slot of the panel's
// limit and then report that the panel "did not answer in time".
func queueContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-time.Until(dl)/4))
}

// Pause holds every request back for d from now, unless a longer pause
// already holds them: the panel's Retry-After, or the rest of a window its
// rate-limit headers say is spent.
func (b *Bucket) Pause(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if until := b.clk.Now().Add(d); until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}

// pausedFor is how long requests are still held back.
func (b *Bucket) pausedFor() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(0, b.pausedUntil.Sub(b.clk.Now()))
}
