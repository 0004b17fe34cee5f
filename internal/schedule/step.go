package schedule

import (
	"context"
	"time"

	"github.com/panelbot/panelbot/internal/store"
)

// step handles one schedule: a missed run is reported, a due run done, and
// due countdown points sent. It returns when the schedule next needs
// attention; zero for a schedule that cannot be read (logged).
func (r *Runner) step(ctx context.Context, sc store.Schedule) time.Time {
	spec, err := ParseSpec(sc.When)
	if err != nil {
		r.cfg.Log.Error("schedules: unreadable schedule left alone", "schedule", sc.ID, "error", err)
		return time.Time{}
	}
	a, err := ParseAction(sc.Action, sc.Command)
	if err != nil {
		r.cfg.Log.Error("schedules: unreadable action left alone", "schedule", sc.ID, "error", err)
		return time.Time{}
	}
	now := r.cfg.Clock.Now()
	run := spec.Next(since(sc), r.cfg.Location)
	switch {
	case now.Sub(run) > Late:
		r.missed(ctx, sc, run, now)
		return now
	case !run.After(now):
		r.execute(ctx, sc, a, run)
		return now
	}
	return r.countdown(ctx, sc, a, run, now)
}

// since is where the next run is counted from: the last run handled, or
// the schedule's creation.
func since(sc store.Schedule) time.Time {
	if sc.LastRun.After(sc.CreatedAt) {
		return sc.LastRun
	}
	return sc.CreatedAt
}

// countdown sends the warnings due now and returns the next point due:
// a later warning or the run itself. A point passed by more than Late (the
// bot was down, or the schedule was made inside its countdown) is dropped,
// and so is one due by the time Run began: the bot may have sent it just
// before a restart, and a countdown said twice is worse than one missed.
func (r *Runner) countdown(ctx context.Context, sc store.Schedule, a Action, run, now time.Time) time.Time {
	next := run
	for _, w := range sc.Warnings {
		at, k := run.Add(-w), warnKey{id: sc.ID, run: run, at: w}
		switch {
		case r.warned[k]:
		case at.After(now):
			next = earliest(next, at)
		case now.Sub(at) < Late && at.After(r.started):
			r.warned[k] = true
			r.warn(ctx, sc, a, w)
		default:
			r.warned[k] = true
		}
	}
	return next
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// forget drops the countdown points kept for a schedule's runs.
func (r *Runner) forget(id int64) {
	for k := range r.warned {
		if k.id == id {
			delete(r.warned, k)
		}
	}
}

// missed reports a run the bot was not up for, and counts from now.
func (r *Runner) missed(ctx context.Context, sc store.Schedule, run, now time.Time) {
	r.forget(sc.ID)
	if err := r.record(ctx, sc, now); err != nil {
		return
	}
	r.cfg.Audit.AuditSchedule(ctx, sc, "missed: the bot was not running at "+
		run.In(r.cfg.Location).Format("2006-01-02 15:04 MST")+"; not run late", nil)
}

// record notes a run as handled; a failure is logged and the run not done,
// so that a run is never done twice.
func (r *Runner) record(ctx context.Context, sc store.Schedule, at time.Time) error {
	err := r.cfg.Store.RecordScheduleRun(ctx, sc.ID, at)
	if err != nil {
		r.cfg.Log.Error("schedules: run not recorded, so not done", "schedule", sc.ID, "error", err)
	}
	return err
}
