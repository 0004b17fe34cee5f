// Package alert watches the watcher's rounds for trouble and tells a
// Discord channel: a crash (a running server going offline or restarting
// without a power action from the bot, or Wings' "crashed state" console
// line), CPU, memory or disk above a threshold for a while, and a panel
// that cannot be reached for a while; and, once each clears, that it has
// recovered.
//
// The rules, one state machine per server and kind (machine.go):
//
//   - A resource episode (cpu, memory, disk) opens once the figure has
//     stayed at or above its threshold for Config.For, measured by the
//     snapshots' own times, and closes only when the figure falls clearly
//     below: Margin points under the threshold (or half the threshold, if
//     that is less). Flapping around the threshold therefore keeps one
//     episode open, or, before one opened, never holds long enough to
//     open one.
//   - A crash episode opens at once and closes at the first later round
//     that finds the server running.
//   - An unreachable episode is per panel: it opens once every server of
//     the panel has come back with an error for Config.For, and closes at
//     the first round in which the panel answers for any of them.
//
// Episodes live in store.Alerts, so a restart neither repeats an alert nor
// forgets to announce the recovery of one it had sent.
package alert

import (
	"time"

	"github.com/panelbot/panelbot/internal/store"
)

// The kinds of alert, as the store keeps them.
const (
	Crash       store.AlertCondition = "crash"
	CPU         store.AlertCondition = "cpu"
	Memory      store.AlertCondition = "memory"
	Disk        store.AlertCondition = "disk"
	Unreachable store.AlertCondition = "unreachable"
)

// Margin is how many points under its threshold a figure must fall for its
// episode to close.
const Margin = 5.0

// Defaults of Config.
const (
	DefaultCPUPercent    = 90
	DefaultMemoryPercent = 90
	DefaultDiskPercent   = 95
	DefaultFor           = 5 * time.Minute
	// powerRounds is how many watcher intervals a power action by the bot
	// excuses a server going offline or restarting for.
	powerRounds = 3
	// TailLines is how many console lines a crash alert attaches.
	TailLines = 30
	// scanLines is how much of a relayed console is searched for new
	// crash lines each round: more than a busy console writes between
	// two rounds, so the overlap with the previous round is found.
	scanLines = 150
)

// Limits are alert thresholds in percent; a zero field inherits.
type Limits struct {
	CPUPercent    float64 // of the server's CPU limit, else of one core
	MemoryPercent float64
	DiskPercent   float64
}

// Settings are one server's or panel's own alert settings; zero fields
// inherit (server from panel, panel from the global ones).
type Settings struct {
	Channel string
	Limits  Limits
}

// Config is what the evaluator alerts on and where.
type Config struct {
	// Channel receives the alerts of servers without their own.
	Channel string
	// Role is the one role alerts mention; "" mentions nobody.
	Role   string
	Limits Limits
	// For is how long a threshold or an unreachable panel must last.
	For time.Duration
	// Interval is the watcher's: a power action by the bot excuses the
	// state changes of the next few intervals.
	Interval time.Duration
	// Servers and Panels hold overrides, by server key and panel name.
	Servers map[string]Settings
	Panels  map[string]Settings
}

// Any tells whether any alert has somewhere to go.
func (c Config) Any() bool {
	if c.Channel != "" {
		return true
	}
	for _, m := range []map[string]Settings{c.Servers, c.Panels} {
		for _, s := range m {
			if s.Channel != "" {
				return true
			}
		}
	}
	return false
}

// settings resolves a server's channel and limits: its own, else its
// panel's, else the global ones.
func (c Config) settings(panelName, key string) Settings {
	out := Settings{Channel: c.Channel, Limits: c.Limits}
	for _, s := range []Settings{c.Panels[panelName], c.Servers[key]} {
		if s.Channel != "" {
			out.Channel = s.Channel
		}
		out.Limits = s.Limits.over(out.Limits)
	}
	return out
}

// over returns l with its zero fields taken from base.
func (l Limits) over(base Limits) Limits {
	pick := func(a, b float64) float64 {
		if a > 0 {
			return a
		}
		return b
	}
	return Limits{pick(l.CPUPercent, base.CPUPercent), pick(l.MemoryPercent, base.MemoryPercent), pick(l.DiskPercent, base.DiskPercent)}
}
