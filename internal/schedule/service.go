package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/panelbot/panelbot/internal/store"
)

// Add stores a schedule, its spelling checked, and wakes the loop; the
// caller has checked the creator's access.
func (r *Runner) Add(ctx context.Context, sc store.Schedule) (store.Schedule, error) {
	if _, err := ParseSpec(sc.When); err != nil {
		return store.Schedule{}, err
	}
	if _, err := ParseAction(sc.Action, sc.Command); err != nil {
		return store.Schedule{}, err
	}
	sc.CreatedAt, sc.LastRun = r.cfg.Clock.Now(), time.Time{}
	sc, err := r.cfg.Store.CreateSchedule(ctx, sc)
	if err != nil {
		return store.Schedule{}, fmt.Errorf("add schedule: %w", err)
	}
	r.Reload()
	return sc, nil
}

// List returns every schedule, oldest first.
func (r *Runner) List(ctx context.Context) ([]store.Schedule, error) {
	return r.cfg.Store.FindSchedules(ctx)
}

// Find returns one schedule; store.ErrNotFound when there is none.
func (r *Runner) Find(ctx context.Context, id int64) (store.Schedule, error) {
	all, err := r.cfg.Store.FindSchedules(ctx)
	if err != nil {
		return store.Schedule{}, err
	}
	for _, sc := range all {
		if sc.ID == id {
			return sc, nil
		}
	}
	return store.Schedule{}, fmt.Errorf("schedule %d: %w", id, store.ErrNotFound)
}

// Remove deletes a schedule and wakes the loop.
func (r *Runner) Remove(ctx context.Context, id int64) error {
	if err := r.cfg.Store.DeleteSchedule(ctx, id); err != nil {
		return err
	}
	r.Reload()
	return nil
}

// NextRun is when a schedule next runs, in the runner's zone.
func (r *Runner) NextRun(sc store.Schedule) (string, bool) {
	spec, err := ParseSpec(sc.When)
	if err != nil {
		return "", false
	}
	return spec.Next(later(since(sc), r.cfg.Clock.Now()), r.cfg.Location).Format("2006-01-02 15:04 MST"), true
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
