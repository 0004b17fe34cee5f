// Package schedule runs power actions and console commands at set times:
// it reads when a schedule runs ("daily 04:00", "every 6h", or a five-field
// cron expression), computes the next run in the bot's time zone
// (SCHEDULE_TZ), and runs a loop on an injected clock that sends the
// countdown warnings and then the action, re-checking the schedule's creator
// each time.
package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// MinEvery is the shortest interval "every" accepts: a bot that signals a
// server more often than this is a mistake, not a schedule.
const MinEvery = time.Minute

// maxSpecLen bounds what the parser reads.
const maxSpecLen = 100

// ErrBadSpec is what every unreadable `when` matches.
var ErrBadSpec = errors.New("bad schedule")

// Spec is when a schedule runs.
type Spec interface {
	// Next is the first run strictly after t, in loc.
	Next(t time.Time, loc *time.Location) time.Time
	// String is the canonical spelling, what ParseSpec reads back.
	String() string
}

// cronFields are the classic five: minute hour dom month dow.
const cronFields = cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow

// ParseSpec reads `daily HH:MM`, `every <duration>` (at least MinEvery, in
// whole minutes) or a five-field cron expression. Descriptors such as
// @daily and the TZ= prefix are refused: the zone is the bot's.
func ParseSpec(s string) (Spec, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || len(s) > maxSpecLen {
		return nil, fmt.Errorf("%w: empty or longer than %d characters", ErrBadSpec, maxSpecLen)
	}
	word, rest, _ := strings.Cut(s, " ")
	switch strings.ToLower(word) {
	case "daily":
		return parseDaily(rest)
	case "every":
		return parseEvery(rest)
	}
	if strings.ContainsAny(s, "@=") {
		return nil, fmt.Errorf("%w: descriptors and time zones are not accepted", ErrBadSpec)
	}
	if len(strings.Fields(s)) != 5 {
		return nil, fmt.Errorf("%w: a cron expression has five fields", ErrBadSpec)
	}
	sc, err := cron.NewParser(cronFields).Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSpec, err)
	}
	// robfig/cron gives up after five years: "0 0 30 2 *" never runs.
	if sc.Next(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, fmt.Errorf("%w: the expression never matches a date", ErrBadSpec)
	}
	return cronSpec{expr: s, sched: sc}, nil
}

// daily runs once a day at a wall-clock time.
type daily struct{ hour, min int }

func parseDaily(s string) (Spec, error) {
	h, m, ok := strings.Cut(s, ":")
	hour, err1 := strconv.Atoi(h)
	min, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || len(h) < 1 || len(h) > 2 ||
		hour < 0 || hour > 23 || min < 0 || min > 59 || strings.ContainsAny(s, "+- ") {
		return nil, fmt.Errorf("%w: daily wants HH:MM, 00:00 to 23:59", ErrBadSpec)
	}
	return daily{hour: hour, min: min}, nil
}

// Next is today's time if still ahead, else tomorrow's. A time skipped by a
// DST jump runs at the shifted time time.Date gives.
func (d daily) Next(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	n := time.Date(t.Year(), t.Month(), t.Day(), d.hour, d.min, 0, 0, loc)
	if !n.After(t) {
		n = time.Date(t.Year(), t.Month(), t.Day()+1, d.hour, d.min, 0, 0, loc)
	}
	return n
}

func (d daily) String() string { return fmt.Sprintf("daily %02d:%02d", d.hour, d.min) }

// every runs at a fixed interval, aligned to the zone's midnight so that
// "every 6h" means 00:00, 06:00, … and is the same after a restart.
type every struct{ d time.Duration }

func parseEvery(s string) (Spec, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < MinEvery || d%time.Minute != 0 || d > 7*24*time.Hour {
		return nil, fmt.Errorf("%w: every wants a duration of whole minutes from 1m to 168h, such as 6h or 90m", ErrBadSpec)
	}
	return every{d: d}, nil
}

// Next counts intervals from the local midnight of t's day (a day's worth
// of intervals restarts each midnight when d does not divide it).
func (e every) Next(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	mid := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	n := mid.Add((t.Sub(mid)/e.d + 1) * e.d)
	if next := mid.AddDate(0, 0, 1); !n.Before(next) {
		return next
	}
	return n
}

func (e every) String() string { return "every " + shortDuration(e.d) }

// shortDuration drops the zero tails time.Duration.String writes ("6h0m0s").
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// cronSpec is a five-field cron expression, read by robfig/cron.
type cronSpec struct {
	expr  string
	sched cron.Schedule
}

// Next asks the cron schedule, in loc.
func (c cronSpec) Next(t time.Time, loc *time.Location) time.Time {
	return c.sched.Next(t.In(loc))
}

func (c cronSpec) String() string { return c.expr }
