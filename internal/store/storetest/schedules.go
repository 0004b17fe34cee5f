package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/store"
)

func testSchedules(t *testing.T, s store.Store) {
	ctx := context.Background()
	got, err := s.FindSchedules(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)
	a, err := s.CreateSchedule(ctx, store.Schedule{GuildID: "1", ChannelID: "10", Server: "main/a",
		Action: "restart", When: "daily 04:00", Warnings: []time.Duration{10 * time.Minute, 30 * time.Second},
		CreatorID: "7", CreatedAt: T0.Add(1500 * time.Millisecond)})
	require.NoError(t, err)
	assert.NotZero(t, a.ID)
	assert.Equal(t, T0.Add(time.Second), a.CreatedAt, "kept to the second")
	b, err := s.CreateSchedule(ctx, store.Schedule{GuildID: "1", ChannelID: "10", Server: "zampto/7",
		Action: "command", Command: "say hi", When: "*/5 * * * *", CreatorID: "8", CreatedAt: T0})
	require.NoError(t, err)
	got, err = s.FindSchedules(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.Schedule{a, b}, got)

	require.NoError(t, s.RecordScheduleRun(ctx, b.ID, T0.Add(time.Hour)))
	b.LastRun = T0.Add(time.Hour)
	require.NoError(t, s.DeleteSchedule(ctx, a.ID))
	got, err = s.FindSchedules(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.Schedule{b}, got)

	assert.ErrorIs(t, s.DeleteSchedule(ctx, a.ID), store.ErrNotFound)
	assert.ErrorIs(t, s.RecordScheduleRun(ctx, a.ID, T0), store.ErrNotFound)
	c, err := s.CreateSchedule(ctx, store.Schedule{Server: "main/a", Action: "start", When: "every 6h", CreatedAt: T0})
	require.NoError(t, err)
	assert.Greater(t, c.ID, b.ID, "ids are not reused")
}
