package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/store/sqlite"
	"github.com/panelbot/panelbot/internal/watch"
)

const (
	// maintainEvery is how often old samples are merged and pruned.
	maintainEvery = 5 * time.Minute
	// storeTimeout bounds one write of the history.
	storeTimeout = 10 * time.Second
)

// memory is what the bot keeps and watches: the store under DATA_DIR, and
// the watcher that polls every server once per interval for the
// dashboards, the alerts and the history it samples into the store.
type memory struct {
	store   *sqlite.Store
	watcher *watch.Watcher
	log     *slog.Logger
	now     func() time.Time
	wg      sync.WaitGroup
}

// openMemory opens the store (a DATA_DIR that cannot be used stops the bot
// at start, exit status 2) and prepares the watcher.
func openMemory(ctx context.Context, cfg config.Config, t watch.Targeter, log *slog.Logger, now func() time.Time) (*memory, error) {
	st, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, storeError(err)
	}
	w, err := watch.New(t, cfg.Watch.Interval, clock.Real{}, log)
	if err != nil {
		_ = st.Close()
		return nil, &config.Error{Var: "DASHBOARD_INTERVAL", Problem: err.Error()}
	}
	m := &memory{store: st, watcher: w, log: log, now: now}
	w.Subscribe(watch.ObserverFunc(m.sample))
	log.Info("store opened", "file", st.Path())
	return m, nil
}

// storeError names DATA_DIR for a store that cannot be used.
func storeError(err error) error {
	var de *store.DataDirError
	if errors.As(err, &de) {
		return &config.Error{Var: "DATA_DIR", Problem: de.Detail()}
	}
	return fmt.Errorf("open the store: %w", err)
}

// run watches and maintains the history until ctx ends.
func (m *memory) run(ctx context.Context) {
	m.wg.Go(func() { _ = m.watcher.Run(ctx) })
	m.wg.Go(func() { m.maintain(ctx) })
}

// close waits for run's goroutines (their ctx ended) and closes the store.
func (m *memory) close() {
	m.wg.Wait()
	if err := m.store.Close(); err != nil {
		m.log.Warn("closing the store", "err", err)
	}
}

// sample records a round of the watcher as the servers' history. Servers
// the panel could not answer for are left out: a gap, not a zero.
func (m *memory) sample(ctx context.Context, round []watch.Snapshot) {
	rs := make([]store.Reading, 0, len(round))
	for _, s := range round {
		if s.Err == nil {
			rs = append(rs, store.Reading{Server: s.Target.Key(), At: s.At, Resources: s.Res})
		}
	}
	if len(rs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := m.store.AppendSamples(ctx, rs); err != nil {
		m.log.Warn("history: samples not kept", "servers", len(rs), "err", err)
	}
}

// maintain merges and prunes the history every maintainEvery.
func (m *memory) maintain(ctx context.Context) {
	for backoff.Sleep(ctx, clock.Real{}, maintainEvery) == nil {
		res, err := m.store.Maintain(ctx, m.now())
		if err != nil {
			m.log.Warn("history: maintenance failed; trying again later", "err", err)
			continue
		}
		m.log.Debug("history maintained", "result", fmt.Sprintf("%+v", res))
	}
}
