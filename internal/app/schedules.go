package app

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/commands"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/schedule"
	"github.com/panelbot/panelbot/internal/store"
)

// schedules links /schedule to the runner. The router is built before the
// Discord session the runner checks creators and audits with, so the link
// is filled in by wire, before the bot connects.
type schedules struct {
	r *schedule.Runner
}

// wire creates the runner over the store: creators are fetched from the
// guild and checked against policy, runs audited through the router.
func (sc *schedules) wire(s *discordgo.Session, router *commands.Router, mem *memory, policy *acl.Policy,
	targets schedule.Targets, cfg config.Config, file *config.File, opts Options) error {
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	r, err := schedule.New(schedule.Config{
		Store: mem.store, Targets: targets, Clock: clk, Location: cfg.ScheduleTZ, Log: mem.log,
		Creators: schedule.MemberCheck{Members: s, ACL: policy}, Audit: router.ScheduleAuditor(s),
		WarnCommand: func(key string) string {
			if w := file.WarnCommand(key); w != "" {
				return w
			}
			return schedule.DefaultWarnCommand
		},
	})
	if err != nil {
		return err
	}
	sc.r = r
	return nil
}

// run runs the schedules until ctx ends; mem.close waits for it.
func (sc *schedules) run(ctx context.Context, mem *memory) {
	mem.wg.Go(func() { _ = sc.r.Run(ctx) })
}

// Add stores a schedule.
func (sc *schedules) Add(ctx context.Context, s store.Schedule) (store.Schedule, error) {
	return sc.r.Add(ctx, s)
}

// List returns the schedules.
func (sc *schedules) List(ctx context.Context) ([]store.Schedule, error) { return sc.r.List(ctx) }

// Find returns one schedule.
func (sc *schedules) Find(ctx context.Context, id int64) (store.Schedule, error) {
	return sc.r.Find(ctx, id)
}

// Remove deletes a schedule.
func (sc *schedules) Remove(ctx context.Context, id int64) error { return sc.r.Remove(ctx, id) }

// NextRun spells when a schedule next runs.
func (sc *schedules) NextRun(s store.Schedule) (string, bool) { return sc.r.NextRun(s) }
