package panel

import (
	"context"
	"sync"
	"time"
)

// Coalesced wraps a Client so that a burst of status requests for one server
// costs the panel one request: an answer is reused for a short time, and
// callers that ask while a request is in flight share its result. Errors
// are shared with the callers already waiting but never cached. A power
// signal forgets the server's cached answer, so the next status is fresh.
type Coalesced struct {
	Client
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*resourcesEntry
}

type resourcesEntry struct {
	res    Resources
	at     time.Time
	valid  bool
	flight *call[Resources]
}

// Coalesce wraps c; ttl is how long an answer is reused (a few seconds).
func Coalesce(c Client, ttl time.Duration, now func() time.Time) *Coalesced {
	if now == nil {
		now = time.Now
	}
	return &Coalesced{Client: c, ttl: ttl, now: now, entries: make(map[string]*resourcesEntry)}
}

// Unwrap returns the wrapped client, for optional interfaces such as
// SocketCredentialer.
func (c *Coalesced) Unwrap() Client { return c.Client }

// Resources answers from the cache, joins a request in flight, or asks the panel.
func (c *Coalesced) Resources(ctx context.Context, id string) (Resources, error) {
	return c.resources(ctx, id, false)
}

// Refresh asks the panel whatever the cache holds (joining a request in
// flight) and caches the answer: the watcher's poll, once per interval,
// whose answer /status then shares.
func (c *Coalesced) Refresh(ctx context.Context, id string) (Resources, error) {
	return c.resources(ctx, id, true)
}

func (c *Coalesced) resources(ctx context.Context, id string, fresh bool) (Resources, error) {
	c.mu.Lock()
	e := c.entries[id]
	if e == nil {
		e = &resourcesEntry{}
		c.entries[id] = e
	}
	if !fresh && e.valid && c.now().Sub(e.at) < c.ttl {
		res := e.res
		c.mu.Unlock()
		return res, nil
	}
	fl, leader := e.flight, false
	if fl == nil {
		fl, leader = newCall[Resources](), true
		e.flight = fl
	}
	c.mu.Unlock()
	if leader {
		// The request serves every waiter, so it runs on its own and the
		// caller that started it may still give up at its own deadline.
		go func() {
			fl.val, fl.err = c.Client.Resources(context.WithoutCancel(ctx), id)
			c.store(id, e, fl)
		}()
	}
	return fl.wait(ctx)
}

func (c *Coalesced) store(id string, e *resourcesEntry, fl *call[Resources]) {
	c.mu.Lock()
	e.flight = nil
	if fl.err == nil && c.entries[id] == e {
		e.res, e.at, e.valid = fl.val, c.now(), true
	}
	c.mu.Unlock()
	close(fl.done)
}

// Power sends the signal and forgets the cached status of the server.
func (c *Coalesced) Power(ctx context.Context, id string, s Signal) error {
	err := c.Client.Power(ctx, id, s)
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
	return err
}

// Unwrap returns the innermost client behind any Coalesced wrappers.
func Unwrap(c Client) Client {
	for {
		w, ok := c.(interface{ Unwrap() Client })
		if !ok {
			return c
		}
		c = w.Unwrap()
	}
}
