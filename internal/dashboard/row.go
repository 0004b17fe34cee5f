// Package dashboard keeps status dashboards up to date: messages that show
// every server (or a chosen few) with state, CPU, memory and uptime, edited
// in place after each round of the watcher. Rendering is pure (rows →
// embeds split over messages within Discord's limits); the Updater is a
// watch.Observer that edits, posts and deletes the messages and keeps
// their ids in the store.
package dashboard

import (
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/watch"
)

// Players is a server's player count as its game reported it.
type Players struct {
	Online, Max int
	// Unknown: the game was asked and did not answer.
	Unknown bool
}

// Row is one server as a dashboard shows it.
type Row struct {
	Key   string
	Label string
	Res   panel.Resources
	// CPULimit is the listed CPU limit in percent, 0 when unlimited.
	CPULimit int64
	// NoAnswer: the panel could not say this round; Res is meaningless.
	NoAnswer bool
	// Missing: the server is not in the round (gone from its panel).
	Missing bool
	// Players shows "players: …" when set: the Updater fills it for
	// running servers when it was given a PlayerCounter.
	Players *Players
}

// Rows picks the rows a dashboard shows from a round: every server in the
// round's order when keys is empty, else the servers keys name, in that
// order (a key the round lacks is a Missing row).
func Rows(round []watch.Snapshot, keys []string) []Row {
	if len(keys) == 0 {
		rows := make([]Row, len(round))
		for i, s := range round {
			rows[i] = rowOf(s)
		}
		return rows
	}
	byKey := make(map[string]watch.Snapshot, len(round))
	for _, s := range round {
		byKey[s.Target.Key()] = s
	}
	rows := make([]Row, len(keys))
	for i, k := range keys {
		s, ok := byKey[k]
		if !ok {
			rows[i] = Row{Key: k, Label: k, Missing: true, Res: panel.Resources{State: panel.StateUnknown}}
			continue
		}
		rows[i] = rowOf(s)
	}
	return rows
}

func rowOf(s watch.Snapshot) Row {
	r := Row{Key: s.Target.Key(), Label: s.Target.Label(), Res: s.Res, CPULimit: s.Target.Server.Limits.CPUPercent,
		NoAnswer: s.Err != nil}
	if r.NoAnswer {
		r.Res = panel.Resources{State: panel.StateUnknown}
	}
	if r.Res.MemoryLimitBytes <= 0 && s.Target.Server.Limits.MemoryMB > 0 {
		r.Res.MemoryLimitBytes = s.Target.Server.Limits.MemoryMB << 20
	}
	return r
}

// Header is what a dashboard says above and below its rows.
type Header struct {
	ID       int64
	Interval time.Duration
}
