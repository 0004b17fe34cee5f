// Package watch polls every server the bot can see once per interval and
// hands the same snapshots to everything that watches them: the status
// dashboards, the alerts and the resource history. One fetch per server per
// interval serves them all; a relayed server answers from its console
// stream (the registry's clients are wrapped so), costing no panel request.
package watch

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
)

// Snapshot is what one server reported at one poll.
type Snapshot struct {
	Target panel.Target
	Res    panel.Resources
	// Err is why the panel could not say (unreachable, rate limited, …);
	// Res is then the zero value.
	Err error
	At  time.Time
}

// Observer takes each round of snapshots, every server at once, in the
// order the registry lists them. It must return promptly: the next round
// waits for it.
type Observer interface {
	Observe(ctx context.Context, round []Snapshot)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ctx context.Context, round []Snapshot)

// Observe calls f.
func (f ObserverFunc) Observe(ctx context.Context, round []Snapshot) { f(ctx, round) }

// Targeter lists the servers to watch; *panel.Registry implements it.
type Targeter interface {
	Targets(ctx context.Context) ([]panel.Target, error)
}

// Defaults.
const (
	DefaultInterval = 30 * time.Second
	MinInterval     = 10 * time.Second
	// pollers bounds the requests in flight at once, so a fleet of 200
	// servers is asked steadily rather than all in the same instant.
	pollers = 8
	// pollTimeout bounds one server's answer within a round.
	pollTimeout = 20 * time.Second
)

// Watcher polls. Its zero value is not usable; call New.
type Watcher struct {
	targets  Targeter
	interval time.Duration
	clock    clock.Clock
	log      *slog.Logger

	mu        sync.Mutex
	observers []Observer
	last      []Snapshot
}

// New returns a watcher polling every interval (at least MinInterval).
func New(t Targeter, interval time.Duration, clk clock.Clock, log *slog.Logger) (*Watcher, error) {
	if t == nil || clk == nil || log == nil {
		return nil, errors.New("watch: targets, clock and logger must be set")
	}
	if interval < MinInterval {
		return nil, errors.New("watch: the interval must be at least 10s")
	}
	return &Watcher{targets: t, interval: interval, clock: clk, log: log}, nil
}

// Subscribe adds an observer; it sees every round from the next one on.
func (w *Watcher) Subscribe(o Observer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.observers = append(w.observers, o)
}

// Last returns the latest round (nil before the first).
func (w *Watcher) Last() []Snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// Run polls until ctx ends: a round at once, then one every interval. A
// round that cannot list the servers is retried with backoff, and the
// observers hear nothing until one can.
func (w *Watcher) Run(ctx context.Context) error {
	retry := backoff.Policy{Base: 5 * time.Second, Max: w.interval, Jitter: 0.2}
	for failures := 0; ; {
		wait := w.interval
		if err := w.Round(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			w.log.Warn("watch: cannot list the servers; retrying", "err", err)
			wait = retry.Delay(failures)
			failures++
		} else {
			failures = 0
		}
		if err := backoff.Sleep(ctx, w.clock, wait); err != nil {
			return err
		}
	}
}

// Round polls every server once and hands the round to the observers.
// When the list fails for some panel, the servers it listed last time are
// handed on with the list's error, so observers (the alerts) see an
// unreachable panel rather than silence; the error is still returned.
func (w *Watcher) Round(ctx context.Context) error {
	ts, err := w.targets.Targets(ctx)
	if err != nil && ctx.Err() != nil {
		return err
	}
	round := append(w.poll(ctx, ts), w.unlisted(ts, err)...)
	if len(round) == 0 && err != nil {
		return err
	}
	w.mu.Lock()
	w.last = round
	obs := append([]Observer(nil), w.observers...)
	w.mu.Unlock()
	for _, o := range obs {
		o.Observe(ctx, round)
	}
	return err
}

// unlisted returns, after a failed list, the last round's servers that ts
// lacks, each with the list's error.
func (w *Watcher) unlisted(ts []panel.Target, err error) []Snapshot {
	if err == nil {
		return nil
	}
	listed := make(map[string]bool, len(ts))
	for _, t := range ts {
		listed[t.Key()] = true
	}
	var out []Snapshot
	for _, s := range w.Last() {
		if !listed[s.Target.Key()] {
			out = append(out, Snapshot{Target: s.Target, Err: err, At: w.clock.Now()})
		}
	}
	return out
}

// poll asks every server, a few at a time.
func (w *Watcher) poll(ctx context.Context, ts []panel.Target) []Snapshot {
	round := make([]Snapshot, len(ts))
	sem := make(chan struct{}, pollers)
	var wg sync.WaitGroup
	for i, t := range ts {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			round[i] = w.snapshot(ctx, t)
		})
	}
	wg.Wait()
	return round
}

// snapshot asks one server; a panel without live figures reports the state
// its list carries.
func (w *Watcher) snapshot(ctx context.Context, t panel.Target) Snapshot {
	s := Snapshot{Target: t, At: w.clock.Now()}
	if !t.Client.Features().Has(panel.FeatureResources) {
		s.Res = panel.Resources{State: t.Server.State, Suspended: t.Server.Suspended}
		if s.Res.State == "" {
			s.Res.State = panel.StateUnknown
		}
		return s
	}
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	if r, ok := t.Client.(panel.Refresher); ok {
		s.Res, s.Err = r.Refresh(ctx, t.Server.ID) // fresh each round; /status shares it
		return s
	}
	s.Res, s.Err = t.Client.Resources(ctx, t.Server.ID)
	return s
}
