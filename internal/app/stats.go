package app

import (
	"context"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// liveTTL is how old a relay's stats may be and still answer /status: the
// node sends them about once a second while the server runs.
const liveTTL = 5 * time.Second

// statsBoard holds, per relayed server, the console stream's latest stats,
// so /status for a relayed server costs the panel nothing.
type statsBoard struct {
	now func() time.Time
	mu  sync.Mutex
	by  map[string]liveEntry // by target key
}

type liveEntry struct {
	latest func() (panel.Resources, time.Time, bool)
	limits panel.Limits
}

func newStatsBoard(now func() time.Time) *statsBoard {
	return &statsBoard{now: now, by: make(map[string]liveEntry)}
}

func (b *statsBoard) set(t panel.Target, latest func() (panel.Resources, time.Time, bool)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.by[t.Key()] = liveEntry{latest: latest, limits: t.Server.Limits}
}

// get returns fresh stats for a server, with the limits the stream does not
// carry filled in from the panel's list.
func (b *statsBoard) get(key string) (panel.Resources, bool) {
	b.mu.Lock()
	e, ok := b.by[key]
	b.mu.Unlock()
	if !ok {
		return panel.Resources{}, false
	}
	r, at, ok := e.latest()
	if !ok || b.now().Sub(at) > liveTTL {
		return panel.Resources{}, false
	}
	if r.MemoryLimitBytes == 0 {
		r.MemoryLimitBytes = e.limits.MemoryMB << 20
	}
	if r.DiskLimitBytes == 0 {
		r.DiskLimitBytes = e.limits.DiskMB << 20
	}
	return r, true
}

// liveStats answers Resources from a relay's stream when it has fresh
// figures, and asks the panel otherwise.
type liveStats struct {
	panel.Client
	name  string
	board *statsBoard
}

// Resources prefers the console stream's latest stats.
func (l liveStats) Resources(ctx context.Context, id string) (panel.Resources, error) {
	if r, ok := l.board.get(l.name + "/" + id); ok {
		return r, nil
	}
	return l.Client.Resources(ctx, id)
}

// Refresh prefers the stream's stats too; otherwise it asks the panel anew.
func (l liveStats) Refresh(ctx context.Context, id string) (panel.Resources, error) {
	if r, ok := l.board.get(l.name + "/" + id); ok {
		return r, nil
	}
	if rf, ok := l.Client.(panel.Refresher); ok {
		return rf.Refresh(ctx, id)
	}
	return l.Client.Resources(ctx, id)
}

// Unwrap returns the wrapped client.
func (l liveStats) Unwrap() panel.Client { return l.Client }
