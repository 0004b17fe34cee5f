package schedule

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
)

// Late is how late a run may still be done: a run missed by more (the bot
// was down) is reported, not run, since a restart at an unexpected hour is
// worse than none.
const Late = time.Minute

// DefaultWarnCommand is the countdown's console command; {action} becomes
// "restarting", "stopping", … and {in} the time left ("5m").
const DefaultWarnCommand = "say Server {action} in {in}"

// Targets finds a server by key; *panel.Registry implements it.
type Targets interface {
	Resolve(ctx context.Context, ref string) (panel.Target, error)
}

// Creators says whether a schedule's creator may still do its action: it
// fetches the member from Discord and applies the access rules.
type Creators interface {
	Check(ctx context.Context, sc store.Schedule, a Action) error
}

// Auditor records what became of each run, in the audit trail.
type Auditor interface {
	AuditSchedule(ctx context.Context, sc store.Schedule, outcome string, err error)
}

// Config holds a Runner's dependencies; all but Log, WarnCommand and
// Location are required.
type Config struct {
	Store    store.Schedules
	Targets  Targets
	Creators Creators
	Audit    Auditor
	Clock    clock.Clock
	Location *time.Location // nil: UTC
	// WarnCommand returns the countdown template for a server key (nil:
	// DefaultWarnCommand everywhere).
	WarnCommand func(serverKey string) string
	Log         *slog.Logger
	// CallTimeout bounds each panel or Discord call (0: 30 s).
	CallTimeout time.Duration
}

// Runner runs the stored schedules. Create with New, then Run.
type Runner struct {
	cfg    Config
	reload chan struct{}
	// warned holds the countdown points already sent, so that a reload
	// does not send one twice; only Run's goroutine touches it.
	warned map[warnKey]bool
	// started is when Run began: points due by then were sent, if at all,
	// by the run of the bot before, and are not sent again.
	started time.Time
}

type warnKey struct {
	id  int64
	run time.Time
	at  time.Duration
}

// New checks cfg and returns a Runner.
func New(cfg Config) (*Runner, error) {
	if cfg.Store == nil || cfg.Targets == nil || cfg.Creators == nil || cfg.Audit == nil || cfg.Clock == nil {
		return nil, errors.New("schedule: Store, Targets, Creators, Audit and Clock are required")
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.WarnCommand == nil {
		cfg.WarnCommand = func(string) string { return DefaultWarnCommand }
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 30 * time.Second
	}
	return &Runner{cfg: cfg, reload: make(chan struct{}, 1), warned: map[warnKey]bool{}}, nil
}

// Location is the zone schedules are read in.
func (r *Runner) Location() *time.Location { return r.cfg.Location }

// Reload wakes the loop to read the schedules again (one was added or
// removed); it never blocks.
func (r *Runner) Reload() {
	select {
	case r.reload <- struct{}{}:
	default:
	}
}

// Run handles the schedules until ctx ends: each round reads them from the
// store, does what is due, and waits on the clock for the next thing due
// or a Reload.
func (r *Runner) Run(ctx context.Context) error {
	r.started = r.cfg.Clock.Now()
	for {
		wake := r.round(ctx)
		wait := time.Hour
		if !wake.IsZero() {
			wait = min(wait, wake.Sub(r.cfg.Clock.Now()))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.reload:
		case <-r.cfg.Clock.After(wait):
		}
	}
}

// round does what is due now and returns when the next thing is due (zero:
// nothing scheduled).
func (r *Runner) round(ctx context.Context) time.Time {
	all, err := r.cfg.Store.FindSchedules(ctx)
	if err != nil {
		r.cfg.Log.Error("schedules: read failed", "error", err)
		return r.cfg.Clock.Now().Add(time.Minute)
	}
	var wake time.Time
	for _, sc := range all {
		if next := r.step(ctx, sc); !next.IsZero() && (wake.IsZero() || next.Before(wake)) {
			wake = next
		}
	}
	return wake
}
