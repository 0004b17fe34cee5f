package alert

import (
	"time"

	"github.com/panelbot/panelbot/internal/store"
)

// reading is what one round says about one condition.
type reading struct {
	holds   bool // the condition is true now
	cleared bool // the condition is clearly over
}

// transition is what a step did to an episode.
type transition int

const (
	none transition = iota
	opened
	recovered
)

// level is the state machine of one server (or panel) and kind. It reads
// no clock: every step carries the round's time.
type level struct {
	// pending is when the condition began to hold, while it has not held
	// long enough to open an episode; zero otherwise.
	pending time.Time
	// ep is the latest episode (Since zero: none yet).
	ep store.Alert
	// note is what the latest notice about ep says (who, where, figures).
	note Notice
}

// open reports whether an episode is going on.
func (l *level) open() bool { return !l.ep.Since.IsZero() && l.ep.Open() }

// step applies one round. An open episode closes only when the condition
// is cleared; otherwise one opens once the condition has held for hold.
func (l *level) step(at time.Time, r reading, hold time.Duration) transition {
	if l.open() {
		if r.cleared {
			l.ep.Recovered, l.pending = at, time.Time{}
			return recovered
		}
		return none
	}
	if !r.holds {
		l.pending = time.Time{}
		return none
	}
	if l.pending.IsZero() {
		l.pending = at
	}
	if at.Sub(l.pending) < hold {
		return none
	}
	l.ep = store.Alert{Server: l.ep.Server, Condition: l.ep.Condition, Since: l.pending}
	l.pending = time.Time{}
	return opened
}

// threshold turns a percentage into a reading against limit t, with the
// closing margin of the package rule.
func threshold(v, t float64) reading {
	margin := min(Margin, t/2)
	return reading{holds: v >= t, cleared: v < t-margin}
}
