// Package storetest is the contract every store implementation passes: one
// set of round trips, run by each implementation's tests against a real
// database (sqlite: a file in t.TempDir()).
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/store"
)

// T0 is the tests' start of time: a bucket boundary, so that expected
// buckets are easy to write down.
var T0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// Open returns a fresh, empty store whose console tails keep tailLines
// lines; the test closes it.
type Open func(t *testing.T) store.Store

// Run runs the contract.
func Run(t *testing.T, open Open, tailLines int) {
	t.Run("Dashboards", func(t *testing.T) { testDashboards(t, open(t)) })
	t.Run("DashboardsNotFound", func(t *testing.T) { testDashboardsNotFound(t, open(t)) })
	t.Run("DashboardIDsNotReused", func(t *testing.T) { testDashboardIDsNotReused(t, open(t)) })
	t.Run("Schedules", func(t *testing.T) { testSchedules(t, open(t)) })
	t.Run("Alerts", func(t *testing.T) { testAlerts(t, open(t)) })
	t.Run("ConsoleTails", func(t *testing.T) { testConsoleTails(t, open(t), tailLines) })
	t.Run("SamplesRaw", func(t *testing.T) { testSamplesRaw(t, open(t)) })
	t.Run("SamplesBuckets", func(t *testing.T) { testSamplesBuckets(t, open(t)) })
	t.Run("MaintainKeepsTheHistory", func(t *testing.T) { testMaintainKeepsHistory(t, open(t)) })
	t.Run("LateSamplesMerge", func(t *testing.T) { testLateSamples(t, open(t)) })
	t.Run("MaintainPrunes", func(t *testing.T) { testMaintainPrunes(t, open(t)) })
}

func testDashboards(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, err := s.CreateDashboard(ctx, store.Dashboard{GuildID: "1", ChannelID: "10", MessageIDs: []string{"100", "103"},
		Servers: []string{"main/b", "main/a", "zampto/7"}, CreatedAt: T0.Add(1500 * time.Millisecond)})
	require.NoError(t, err)
	assert.NotZero(t, a.ID)
	assert.Equal(t, T0.Add(time.Second), a.CreatedAt, "kept to the second")
	b, err := s.CreateDashboard(ctx, store.Dashboard{GuildID: "1", ChannelID: "11", MessageIDs: []string{"101"}, CreatedAt: T0})
	require.NoError(t, err)
	assert.NotEqual(t, a.ID, b.ID)

	got, err := s.FindDashboards(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.Dashboard{a, b}, got)

	a.MessageIDs, a.Servers = []string{"103", "102", "104"}, []string{"zampto/7", "main/c"}
	require.NoError(t, s.UpdateDashboard(ctx, a))
	require.NoError(t, s.DeleteDashboard(ctx, b.ID))
	got, err = s.FindDashboards(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.Dashboard{a}, got, "messages and servers replaced, in order")

	a.MessageIDs = []string{"105"}
	require.NoError(t, s.UpdateDashboard(ctx, a))
	got, err = s.FindDashboards(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.Dashboard{a}, got, "a fleet that shrank keeps fewer messages")
}

func testDashboardsNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	got, err := s.FindDashboards(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.ErrorIs(t, s.DeleteDashboard(ctx, 42), store.ErrNotFound)
	assert.ErrorIs(t, s.UpdateDashboard(ctx, store.Dashboard{ID: 42, Servers: []string{"main/a"}}), store.ErrNotFound)
}

func testAlerts(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.FindAlert(ctx, "main/a", "offline")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.Error(t, s.PutAlert(ctx, store.Alert{Server: "main/a", Condition: "offline"}), "an episode needs its start")

	open := store.Alert{Server: "main/a", Condition: "offline", Since: T0}
	require.NoError(t, s.PutAlert(ctx, open))
	got, err := s.FindAlert(ctx, "main/a", "offline")
	require.NoError(t, err)
	assert.Equal(t, open, got)
	assert.True(t, got.Open())

	open.Notified = T0.Add(time.Minute)
	require.NoError(t, s.PutAlert(ctx, open))
	recovered := open
	recovered.Recovered = T0.Add(time.Hour)
	require.NoError(t, s.PutAlert(ctx, recovered))
	memory := store.Alert{Server: "main/a", Condition: "memory", Since: T0.Add(2 * time.Hour)}
	require.NoError(t, s.PutAlert(ctx, memory))
	other := store.Alert{Server: "main/0", Condition: "offline", Since: T0, Notified: T0}
	require.NoError(t, s.PutAlert(ctx, other))

	all, err := s.FindAlerts(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.Alert{other, memory, recovered}, all, "by server, then kind")
	assert.False(t, all[2].Open())
}

func testConsoleTails(t *testing.T, s store.Store, limit int) {
	ctx := context.Background()
	got, err := s.FindConsoleTail(ctx, "main/a")
	require.NoError(t, err)
	assert.Empty(t, got)

	lines := []string{"[12:00:00 INFO]: Done (3.2s)!", "", "ünïcødé ✓ `code` \"quoted\" \\ back", "\x1b[31mred"}
	require.NoError(t, s.ReplaceConsoleTail(ctx, "main/a", lines, T0))
	got, err = s.FindConsoleTail(ctx, "main/a")
	require.NoError(t, err)
	assert.Equal(t, lines, got)

	long := make([]string, limit+5)
	for i := range long {
		long[i] = "line " + time.Duration(i).String()
	}
	require.NoError(t, s.ReplaceConsoleTail(ctx, "main/a", long, T0.Add(time.Second)))
	got, err = s.FindConsoleTail(ctx, "main/a")
	require.NoError(t, err)
	assert.Equal(t, long[5:], got, "the newest lines, at most the limit")

	other, err := s.FindConsoleTail(ctx, "main/b")
	require.NoError(t, err)
	assert.Empty(t, other, "tails are per server")
	require.NoError(t, s.ReplaceConsoleTail(ctx, "main/a", nil, T0.Add(2*time.Second)))
	got, err = s.FindConsoleTail(ctx, "main/a")
	require.NoError(t, err)
	assert.Empty(t, got)
}

func testDashboardIDsNotReused(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, err := s.CreateDashboard(ctx, store.Dashboard{ChannelID: "10", Servers: []string{"main/a"}, CreatedAt: T0})
	require.NoError(t, err)
	require.NoError(t, s.DeleteDashboard(ctx, a.ID))
	b, err := s.CreateDashboard(ctx, store.Dashboard{ChannelID: "11", CreatedAt: T0})
	require.NoError(t, err)
	assert.NotEqual(t, a.ID, b.ID, "a button naming a deleted dashboard must not reach a new one")
	got, err := s.FindDashboards(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.Dashboard{b}, got, "nothing of the deleted one is left")
}
