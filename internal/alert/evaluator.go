package alert

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/watch"
)

// storeTimeout bounds one read or write of the alert state.
const storeTimeout = 10 * time.Second

// Notifier tells a channel about an episode.
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

// Tails returns up to n of the last raw console lines of a relayed server
// (nil when it is not relayed).
type Tails func(key string, n int) []string

// Evaluator is a watch.Observer that turns rounds into alerts. Its zero
// value is not usable; call New.
type Evaluator struct {
	cfg    Config
	store  store.Alerts
	notify Notifier
	tails  Tails
	powers *Powers
	log    *slog.Logger

	mu     sync.Mutex
	loaded bool
	levels map[levelKey]*level
	states map[string]string   // last known state by server key
	seen   map[string][]string // console lines scanned last round, by key
}

type levelKey struct {
	server string // a server key, or a panel name for Unreachable
	kind   store.AlertCondition
}

var _ watch.Observer = (*Evaluator)(nil)

// New returns an evaluator; tails may be nil (no relay), powers may be nil
// (the bot's power actions are not known).
func New(cfg Config, st store.Alerts, n Notifier, tails Tails, powers *Powers, log *slog.Logger) (*Evaluator, error) {
	if st == nil || n == nil || log == nil {
		return nil, errors.New("alert: store, notifier and logger must be set")
	}
	if tails == nil {
		tails = func(string, int) []string { return nil }
	}
	if powers == nil {
		powers = NewPowers()
	}
	return &Evaluator{cfg: cfg, store: st, notify: n, tails: tails, powers: powers, log: log,
		levels: map[levelKey]*level{}, states: map[string]string{}, seen: map[string][]string{}}, nil
}

// Observe evaluates one round and sends what it opened or closed, plus any
// notice an earlier round could not deliver.
func (e *Evaluator) Observe(ctx context.Context, round []watch.Snapshot) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.loaded {
		e.load(ctx)
	}
	var changed []*level
	for _, s := range round {
		changed = append(changed, e.server(s)...)
	}
	changed = append(changed, e.panels(round)...)
	for _, l := range changed {
		e.put(ctx, l.ep)
	}
	now := roundTime(round)
	for _, l := range e.levels {
		if n, due := l.due(); due && !now.IsZero() {
			e.deliver(ctx, l, n, now)
		}
	}
}

// level returns the machine of a server (or panel) and kind.
func (e *Evaluator) level(server string, kind store.AlertCondition) *level {
	k := levelKey{server, kind}
	l := e.levels[k]
	if l == nil {
		l = &level{ep: store.Alert{Server: server, Condition: kind}}
		e.levels[k] = l
	}
	return l
}

// deliver sends a due notice and, once it went out, remembers so.
func (e *Evaluator) deliver(ctx context.Context, l *level, n Notice, now time.Time) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := e.notify.Notify(ctx, n); err != nil {
		e.log.Warn("alert not delivered; trying again next round", "server", l.ep.Server, "kind", l.ep.Condition, "err", err)
		return
	}
	l.ep.Notified = now
	e.put(ctx, l.ep)
}

// load restores the episodes kept before a restart.
func (e *Evaluator) load(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	as, err := e.store.FindAlerts(ctx)
	if err != nil {
		e.log.Warn("alerts: the state kept before the restart cannot be read; trying again next round", "err", err)
		return
	}
	e.loaded = true
	for _, a := range as {
		l := e.level(a.Server, a.Condition)
		l.ep = a
		l.note = Notice{Condition: a.Condition, Subject: a.Server, Channel: e.channelFor(a.Server)}
	}
}

func (e *Evaluator) put(ctx context.Context, a store.Alert) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := e.store.PutAlert(ctx, a); err != nil {
		e.log.Warn("alerts: state not kept; a restart may repeat this alert", "server", a.Server, "kind", a.Condition, "err", err)
	}
}

// tail returns a relayed server's last lines, sanitised as the relay shows
// them.
func (e *Evaluator) tail(key string, n int) []string {
	return console.SanitizeLines(e.tails(key, n))
}
