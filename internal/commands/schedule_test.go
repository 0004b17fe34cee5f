package commands

import (
	"context"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
	"github.com/panelbot/panelbot/internal/store"
)

// fakeSchedules keeps schedules in memory.
type fakeSchedules struct {
	mu   sync.Mutex
	list []store.Schedule
}

func (f *fakeSchedules) Add(_ context.Context, sc store.Schedule) (store.Schedule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sc.ID = int64(len(f.list) + 1)
	f.list = append(f.list, sc)
	return sc, nil
}

func (f *fakeSchedules) List(context.Context) ([]store.Schedule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]store.Schedule(nil), f.list...), nil
}

func (f *fakeSchedules) Find(_ context.Context, id int64) (store.Schedule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, sc := range f.list {
		if sc.ID == id {
			return sc, nil
		}
	}
	return store.Schedule{}, store.ErrNotFound
}

func (f *fakeSchedules) Remove(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, sc := range f.list {
		if sc.ID == id {
			f.list = append(f.list[:i], f.list[i+1:]...)
			return nil
		}
	}
	return store.ErrNotFound
}

func (f *fakeSchedules) NextRun(store.Schedule) (string, bool) { return "2026-03-01 04:00 UTC", true }

func scheduleSlash(m *discordgo.Member, sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return slash(m, cmdSchedule, &discordgo.ApplicationCommandInteractionDataOption{
		Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts})
}

func withSchedules(f *fakeSchedules) func(*Config, *paneltest.Client) {
	return func(c *Config, _ *paneltest.Client) { c.Schedules = f }
}

func TestScheduleAddListCancel(t *testing.T) {
	f := &fakeSchedules{}
	e := setup(t, withSchedules(f))
	e.handle(scheduleSlash(admin(), subAdd, opt(optServer, "survival"), opt(optAction, "restart"), opt(optWhen, " daily  4:00")))
	require.Len(t, f.list, 1)
	sc := f.list[0]
	assert.Equal(t, store.Schedule{ID: 1, GuildID: sc.GuildID, ChannelID: sc.ChannelID, Server: "main/abc123", Action: "restart",
		When: "daily 04:00", Warnings: sc.Warnings, CreatorID: userAdmin}, sc)
	assert.Len(t, sc.Warnings, 3, "the default countdown")
	assert.Contains(t, text(t, e.sess.answers()[0]), "Schedule 1: restart **Survival")

	e.handle(scheduleSlash(operator(), subList))
	list := e.sess.answers()[1]
	assert.Contains(t, text(t, list), "daily 04:00")

	e.handle(click(operator(), "schedule-cancel/1", true))
	assert.Len(t, f.list, 1, "an operator may not cancel a restart")
	e.handle(click(admin(), "schedule-cancel/1", true))
	assert.Empty(t, f.list)
	assert.Contains(t, e.logs.String(), "schedule cancel 1")
	assert.Contains(t, e.logs.String(), "added as schedule 1 (daily 04:00)")
	assert.Contains(t, e.logs.String(), "cancelled")
}

func TestScheduleAddRefusals(t *testing.T) {
	f := &fakeSchedules{}
	e := setup(t, withSchedules(f))
	e.handle(scheduleSlash(operator(), subAdd, opt(optServer, "survival"), opt(optAction, "stop"), opt(optWhen, "daily 04:00")))
	e.handle(scheduleSlash(admin(), subAdd, opt(optServer, "survival"), opt(optAction, "stop"), opt(optWhen, "every 10s")))
	e.handle(scheduleSlash(admin(), subAdd, opt(optServer, "survival"), opt(optAction, "stop"), opt(optWhen, "daily 04:00"), opt(optWarn, "2h")))
	assert.Empty(t, f.list)
	e.handle(scheduleSlash(operator(), subAdd, opt(optServer, "survival"), opt(optAction, "start"), opt(optWhen, "0 4 * * 1")))
	assert.Len(t, f.list, 1, "operators may schedule a start")
}

func TestScheduleWarnsWhenCountdownSkipped(t *testing.T) {
	f := &fakeSchedules{}
	e := setup(t, withSchedules(f), func(_ *Config, c *paneltest.Client) {
		c.FeatureSet = panel.Features(panel.FeatureResources)
	})
	e.handle(scheduleSlash(admin(), subAdd, opt(optServer, "survival"), opt(optAction, "kill"), opt(optWhen, "every 6h")))
	assert.Contains(t, text(t, only(t, e.sess)), "The countdown will be skipped")
	e.handle(scheduleSlash(admin(), subAdd, opt(optServer, "survival"), opt(optAction, "command"), opt(optWhen, "every 6h"),
		opt(optCommand, "save-all")))
	assert.Contains(t, text(t, e.sess.answers()[1]), "cannot send console commands")
	assert.Len(t, f.list, 1)
}

func TestScheduleCancelCustomID(t *testing.T) {
	s, err := customID{verb: verbScheduleCancel, schedule: 42}.encode()
	require.NoError(t, err)
	assert.Equal(t, "schedule-cancel/42", s)
	c, err := parseCustomID(s)
	require.NoError(t, err)
	assert.Equal(t, int64(42), c.schedule)
	for _, bad := range []string{"schedule-cancel/", "schedule-cancel/042", "schedule-cancel/-1", "schedule-cancel/1/2", "schedule-cancel/x"} {
		_, err := parseCustomID(bad)
		assert.ErrorIs(t, err, errBadCustomID, bad)
	}
}

func TestScheduleDefinition(t *testing.T) {
	d := scheduleCommand()
	require.Len(t, d.Options, 3)
	for _, sub := range d.Options {
		assert.LessOrEqual(t, len(sub.Description), 100)
		for _, o := range sub.Options {
			assert.LessOrEqual(t, len(o.Description), 100, o.Name)
		}
	}
	var actions []string
	for _, c := range d.Options[0].Options[1].Choices {
		actions = append(actions, c.Value.(string))
	}
	assert.Equal(t, []string{"start", "stop", "restart", "kill", "command"}, actions)
	assert.Len(t, actionOption().Choices, 4, "/power's choices are untouched")
}
