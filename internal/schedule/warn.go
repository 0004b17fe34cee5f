package schedule

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// Bounds on a countdown.
const (
	maxWarnings = 6
	maxWarnAt   = time.Hour
)

// DefaultWarnings returns the countdown an action gets when none is given:
// 10m, 5m, 1m before a stop, restart or kill; none before a start or a
// console command.
func DefaultWarnings(a Action) []time.Duration {
	if a.Command != "" || a.Signal == panel.SignalStart {
		return nil
	}
	return []time.Duration{10 * time.Minute, 5 * time.Minute, time.Minute}
}

// ParseWarnings reads a comma-separated countdown ("10m,5m,1m"), or "none".
// Points are whole seconds, from 1s to 1h, at most six; they come back
// longest first, without repeats.
func ParseWarnings(s string) ([]time.Duration, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "none") {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxWarnings {
		return nil, fmt.Errorf("%w: at most %d warnings", ErrBadSpec, maxWarnings)
	}
	var out []time.Duration
	for _, p := range parts {
		d, err := time.ParseDuration(strings.TrimSpace(p))
		if err != nil || d < time.Second || d > maxWarnAt || d%time.Second != 0 {
			return nil, fmt.Errorf("%w: warnings are durations from 1s to 1h, such as 10m,5m,1m", ErrBadSpec)
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b time.Duration) int { return int(b - a) })
	return slices.Compact(out), nil
}

// FormatWarnings is the spelling ParseWarnings reads back; "none" for none.
func FormatWarnings(ws []time.Duration) string {
	if len(ws) == 0 {
		return "none"
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = shortDuration(w)
	}
	return strings.Join(parts, ",")
}
