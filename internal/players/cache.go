package players

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Defaults for a Cache: a game server that has not answered within
// DefaultTimeout is shown as unknown, and an answer (or a failure) is kept
// for DefaultTTL so /status and the dashboard do not ask on every call.
const (
	DefaultTimeout = time.Second
	DefaultTTL     = 30 * time.Second
	maxEntries     = 1024
)

// Cache answers player counts from the queriers of each protocol, one query
// at a time per target (callers asking together share it), each bounded by a
// timeout, and keeps the answer for a TTL.
type Cache struct {
	queriers map[Protocol]Querier
	timeout  time.Duration
	ttl      time.Duration
	now      func() time.Time

	mu      sync.Mutex
	entries map[Target]*entry
}

// entry is one target's answer; done is closed when c and err are set.
type entry struct {
	done chan struct{}
	at   time.Time
	c    Count
	err  error
}

// Option configures a Cache.
type Option func(*Cache) error

// WithTimeout bounds each query (DefaultTimeout otherwise).
func WithTimeout(d time.Duration) Option {
	return func(c *Cache) error {
		if d <= 0 {
			return fmt.Errorf("players: timeout %s must be positive", d)
		}
		c.timeout = d
		return nil
	}
}

// WithTTL sets how long an answer is kept (DefaultTTL otherwise).
func WithTTL(d time.Duration) Option {
	return func(c *Cache) error {
		if d <= 0 {
			return fmt.Errorf("players: TTL %s must be positive", d)
		}
		c.ttl = d
		return nil
	}
}

// WithClock sets the clock the TTL is measured on (time.Now otherwise).
func WithClock(now func() time.Time) Option {
	return func(c *Cache) error {
		if now == nil {
			return fmt.Errorf("players: clock is nil")
		}
		c.now = now
		return nil
	}
}

// NewCache returns a Cache over the queriers of each protocol. Auto, when
// not given, asks all of them at once.
func NewCache(queriers map[Protocol]Querier, opts ...Option) (*Cache, error) {
	c := &Cache{queriers: make(map[Protocol]Querier), timeout: DefaultTimeout, ttl: DefaultTTL, now: time.Now, entries: make(map[Target]*entry)}
	var all Any
	for p, q := range queriers {
		if q == nil {
			return nil, fmt.Errorf("players: querier for %s is nil", p)
		}
		c.queriers[p] = q
		all = append(all, q)
	}
	if _, ok := c.queriers[Auto]; !ok {
		c.queriers[Auto] = all
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Get returns t's players from the cache when fresh, else asks the game
// server. It returns within the cache's timeout, or sooner when ctx is done;
// the query then goes on for whoever asks next.
func (c *Cache) Get(ctx context.Context, t Target) (Count, error) {
	if t.Address == "" {
		return Count{}, ErrNoAddress
	}
	// A querier that ignores its context must not hold the caller either.
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	e := c.entry(t)
	select {
	case <-e.done:
		return e.c, e.err
	case <-ctx.Done():
		return Count{}, ctx.Err()
	}
}

// entry returns t's fresh or in-flight entry, starting a query when there is
// none.
func (c *Cache) entry(t Target) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[t]; ok && !c.stale(e) {
		return e
	}
	if len(c.entries) >= maxEntries {
		c.prune()
	}
	e := &entry{done: make(chan struct{})}
	c.entries[t] = e
	go c.run(t, e)
	return e
}

// stale reports whether e has an answer older than the TTL; an entry still
// in flight is never stale.
func (c *Cache) stale(e *entry) bool {
	select {
	case <-e.done:
		return c.now().Sub(e.at) >= c.ttl
	default:
		return false
	}
}

// prune drops stale entries, or all of them when none is stale, so that the
// cache stays bounded however many targets it is asked about.
func (c *Cache) prune() {
	for t, e := range c.entries {
		if c.stale(e) {
			delete(c.entries, t)
		}
	}
	if len(c.entries) >= maxEntries {
		c.entries = make(map[Target]*entry)
	}
}

// run queries t with the cache's own timeout: the query belongs to every
// caller, so no single caller's context may cut it short.
func (c *Cache) run(t Target, e *entry) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	q, ok := c.queriers[t.Protocol]
	if !ok {
		e.err = fmt.Errorf("%w: %q", ErrUnknownProtocol, t.Protocol)
	} else {
		e.c, e.err = q.Query(ctx, t.Address)
	}
	c.mu.Lock()
	e.at = c.now()
	c.mu.Unlock()
	close(e.done)
}
