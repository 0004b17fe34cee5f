package chart

import (
	"fmt"
	"strings"
	"time"
)

// Range is how far back a chart looks: the value of /history's range option.
type Range string

// The three ranges /history offers. Each has its own tick spacing, so the
// set is closed: ParseRange refuses anything else.
const (
	Hour Range = "1h"
	Day  Range = "24h"
	Week Range = "7d"
)

// Ranges lists the ranges in the order the command offers them.
func Ranges() []Range { return []Range{Hour, Day, Week} }

// ParseRange validates a range coming from outside (a slash-command option).
// Case and surrounding spaces are forgiven because people type them; any
// other value is refused with a sentence a Discord user can act on.
func ParseRange(s string) (Range, error) {
	switch r := Range(strings.ToLower(strings.TrimSpace(s))); r {
	case Hour, Day, Week:
		return r, nil
	default:
		return "", fmt.Errorf("unknown range %q: type 1h, 24h or 7d", s)
	}
}

// Valid reports whether r is one of Hour, Day and Week.
func (r Range) Valid() bool { return r == Hour || r == Day || r == Week }

// Duration is the length of the window the range covers; 0 when invalid.
func (r Range) Duration() time.Duration {
	switch r {
	case Hour:
		return time.Hour
	case Day:
		return 24 * time.Hour
	case Week:
		return 7 * 24 * time.Hour
	default:
		return 0
	}
}

// Phrase is the range in words, as the chart title says it ("last 24 hours").
func (r Range) Phrase() string {
	switch r {
	case Hour:
		return "last hour"
	case Day:
		return "last 24 hours"
	case Week:
		return "last 7 days"
	default:
		return "unknown range"
	}
}

// tickSpec is how the time axis of one range is marked: major ticks carry a
// label, minor ticks only a short mark.
type tickSpec struct {
	major, minor time.Duration
	label        func(t time.Time) string
}

// ticks returns the time-axis marking for r. The steps divide a day, so
// multiples of them in Unix time fall on round UTC times (Unix time has no
// leap seconds and its epoch is a UTC midnight).
func (r Range) ticks() tickSpec {
	switch r {
	case Week:
		return tickSpec{major: 24 * time.Hour, minor: 6 * time.Hour, label: func(t time.Time) string {
			return t.Format("Mon 2 Jan")
		}}
	case Day:
		return tickSpec{major: 3 * time.Hour, minor: time.Hour, label: clockOrDate}
	default:
		return tickSpec{major: 10 * time.Minute, minor: 5 * time.Minute, label: clockOrDate}
	}
}

// clockOrDate labels a tick with its time of day, except at midnight where
// the date is what the reader needs to place the samples either side.
func clockOrDate(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 {
		return t.Format("2 Jan")
	}
	return t.Format("15:04")
}
