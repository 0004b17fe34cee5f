package panel

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Target is one server on one panel: what a user's "server" option resolves to.
type Target struct {
	Panel  string // the panel's configured name
	Server Server
	Client Client
}

// Key names the target unambiguously across panels: "<panel>/<server id>".
// Buttons and autocomplete carry it; Resolve accepts it.
func (t Target) Key() string { return t.Panel + "/" + t.Server.ID }

// Label is how the server is shown to users: its name, and its identifier
// when that differs.
func (t Target) Label() string {
	if t.Server.Name == "" || strings.EqualFold(t.Server.Name, t.Server.ID) {
		return t.Server.ID
	}
	return fmt.Sprintf("%s (%s)", t.Server.Name, t.Server.ID)
}

// ErrAmbiguous is returned by Resolve when a name matches servers on more
// than one panel.
var ErrAmbiguous = errors.New("server name is ambiguous")

// Registry holds every configured panel and resolves what users type into
// targets. Server lists are cached briefly (they feed autocomplete, which
// must answer within Discord's window) and fetched once for all concurrent
// callers.
type Registry struct {
	panels  []namedClient
	listTTL time.Duration
	now     func() time.Time

	mu        sync.Mutex
	cached    []Target
	cachedErr error // a *PartialError cached with its partial list
	cachedAt  time.Time
	flight    *call[[]Target]
}

type namedClient struct {
	name    string
	client  Client
	aliases map[string]string // lower-cased alias → server ID
}

// RegistryOption configures a Registry.
type RegistryOption func(*Registry)

// WithListTTL sets how long a server list is reused (default 30 s).
func WithListTTL(d time.Duration) RegistryOption { return func(r *Registry) { r.listTTL = d } }

// WithClock injects the clock, for tests.
func WithClock(now func() time.Time) RegistryOption { return func(r *Registry) { r.now = now } }

// NewRegistry returns an empty registry.
func NewRegistry(opts ...RegistryOption) *Registry {
	r := &Registry{listTTL: 30 * time.Second, now: time.Now}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Add registers a panel under a unique name. aliases maps extra names
// (case-insensitive) to server IDs on this panel.
func (r *Registry) Add(name string, c Client, aliases map[string]string) error {
	if name == "" || strings.ContainsAny(name, "/ ") {
		return fmt.Errorf("panel name %q: use letters, digits, '-' or '_'", name)
	}
	for _, p := range r.panels {
		if strings.EqualFold(p.name, name) {
			return fmt.Errorf("panel name %q is used twice", name)
		}
	}
	lower := make(map[string]string, len(aliases))
	for a, id := range aliases {
		lower[strings.ToLower(a)] = id
	}
	r.panels = append(r.panels, namedClient{name: name, client: c, aliases: lower})
	return nil
}

// Panels returns the configured panel names and clients, in order.
func (r *Registry) Panels() map[string]Client {
	m := make(map[string]Client, len(r.panels))
	for _, p := range r.panels {
		m[p.name] = p.client
	}
	return m
}

// Targets lists every server on every panel, sorted by label. When some
// panels fail, the servers of the others are returned together with an
// error naming the failures.
func (r *Registry) Targets(ctx context.Context) ([]Target, error) {
	r.mu.Lock()
	if r.cached != nil && !r.cachedAt.IsZero() && r.now().Sub(r.cachedAt) < r.listTTL {
		ts, err := r.cached, r.cachedErr
		r.mu.Unlock()
		return ts, err
	}
	c, leader := r.flightLocked()
	r.mu.Unlock()
	if leader {
		// The fetch serves every waiter, so it runs on its own: one caller
		// giving up must not cancel it, and each client call still has its
		// own timeout.
		go func() {
			c.val, c.err = r.fetch(context.WithoutCancel(ctx))
			r.finish(c)
		}()
	}
	return c.wait(ctx)
}

func (r *Registry) flightLocked() (*call[[]Target], bool) {
	if r.flight != nil {
		return r.flight, false
	}
	r.flight = newCall[[]Target]()
	return r.flight, true
}

func (r *Registry) finish(c *call[[]Target]) {
	r.mu.Lock()
	r.flight = nil
	// A partial list is cached too, so one panel being down does not make
	// every autocomplete keystroke ask all the others again.
	if c.err == nil || isPartial(c.err) {
		r.cached, r.cachedErr, r.cachedAt = c.val, c.err, r.now()
	}
	r.mu.Unlock()
	close(c.done)
}

// Invalidate makes the cached server list stale, so the next lookup asks the
// panels. Cached still returns it until a new one arrives.
func (r *Registry) Invalidate() {
	r.mu.Lock()
	r.cachedAt = time.Time{}
	r.mu.Unlock()
}

// Cached returns the last server list fetched, however old, or nil when none
// was. Autocomplete, which cannot wait for a slow panel, answers from it.
func (r *Registry) Cached() []Target {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cached
}

func (r *Registry) fetch(ctx context.Context) ([]Target, error) {
	var (
		all  []Target
		errs []error
	)
	for _, p := range r.panels {
		servers, err := p.client.Servers(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("panel %s: %w", p.name, err))
			continue
		}
		for _, s := range servers {
			all = append(all, Target{Panel: p.name, Server: s, Client: p.client})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		return strings.ToLower(all[i].Label()) < strings.ToLower(all[j].Label())
	})
	if len(errs) > 0 {
		if len(all) == 0 {
			return nil, errors.Join(errs...)
		}
		return all, &PartialError{Errs: errs}
	}
	if all == nil {
		all = []Target{}
	}
	return all, nil
}

// PartialError reports panels that failed while others answered.
type PartialError struct{ Errs []error }

func (e *PartialError) Error() string { return errors.Join(e.Errs...).Error() }

// Unwrap lets errors.Is see each panel's failure.
func (e *PartialError) Unwrap() []error { return e.Errs }
