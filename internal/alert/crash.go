package alert

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// crashLine is what Wings (Pterodactyl's and Pelican's alike, in
// server/crash.go) writes to the console when it finds the server's
// process stopped without being asked to: "---------- Detected server
// process in a crashed state! ----------", behind the daemon's coloured
// "[Pterodactyl Daemon]:" (or Pelican's) prefix. Matched without case on
// the text with its colour codes stripped.
const crashLine = "detected server process in a crashed state"

// isCrashLine tells whether a console line (sanitised) is Wings' crash line.
func isCrashLine(s string) bool { return strings.Contains(strings.ToLower(s), crashLine) }

// Powers remembers the power actions the bot itself sent, so that a server
// it stopped or restarted is not taken for a crashed one. The commands
// package tells it through PowerNoted. Safe for concurrent use.
type Powers struct {
	mu   sync.Mutex
	last map[string]time.Time // by server key: the latest stop, restart or kill
}

// NewPowers returns an empty registry.
func NewPowers() *Powers { return &Powers{last: map[string]time.Time{}} }

// PowerNoted records that the bot sent s to the server key at at. Start is
// ignored: it never takes a running server down.
func (p *Powers) PowerNoted(key string, s panel.Signal, at time.Time) {
	if s == panel.SignalStart {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if at.After(p.last[key]) {
		p.last[key] = at
	}
}

// recent tells whether the bot sent key a stop, restart or kill within
// window before at.
func (p *Powers) recent(key string, at time.Time, window time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.last[key]
	return ok && at.Sub(t) <= window
}

// newLines returns the lines of cur that prev did not end with: cur's
// part after the longest suffix of prev that begins cur. A console that
// wrote more than cur holds between two rounds shares nothing with prev:
// then all of cur is new.
func newLines(prev, cur []string) []string {
	for k := min(len(prev), len(cur)); k > 0; k-- {
		if slices.Equal(prev[len(prev)-k:], cur[:k]) {
			return cur[k:]
		}
	}
	return cur
}
