package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
)

// reading is a live reading with the figures that matter here.
func reading(server string, at time.Time, st panel.State, cpu float64, mem, disk, net int64) store.Reading {
	return store.Reading{Server: server, At: at, Resources: panel.Resources{State: st, Live: true,
		CPUPercent: cpu, MemoryBytes: mem, DiskBytes: disk, NetworkRxBytes: net, NetworkTxBytes: 2 * net}}
}

// find is FindSamples that must succeed.
func find(t *testing.T, s store.Store, server string, from, to time.Time, res store.Resolution) []store.Sample {
	t.Helper()
	got, err := s.FindSamples(context.Background(), server, from, to, res)
	require.NoError(t, err)
	return got
}

func testSamplesRaw(t *testing.T, s store.Store) {
	ctx := context.Background()
	offline := store.Reading{Server: "main/a", At: T0.Add(time.Minute), Resources: panel.Resources{State: panel.StateOffline}}
	require.NoError(t, s.AppendSamples(ctx, []store.Reading{
		reading("main/a", T0, panel.StateStarting, 1, 1, 1, 1),
		reading("main/b", T0, panel.StateRunning, 5, 5, 5, 5),
		reading("main/a", T0.Add(30*time.Second), panel.StateRunning, 12.34, 2<<30, 5<<30, 1e9),
		offline,
		reading("main/a", T0.Add(90*time.Second), panel.StateRunning, 1, 1, 1, 1),
	}))
	// A second reading at the same second replaces the first.
	require.NoError(t, s.AppendSamples(ctx, []store.Reading{reading("main/a", T0.Add(90*time.Second), panel.StateStopping, 2, 2, 2, 2)}))

	got := find(t, s, "main/a", T0.Add(30*time.Second), T0.Add(90*time.Second), store.Raw)
	assert.Equal(t, []store.Sample{
		{At: T0.Add(30 * time.Second), Count: 1, Running: 1, Live: 1, State: panel.StateRunning,
			CPUPercent: 12.3, CPUPeakPercent: 12.3, MemoryBytes: 2 << 30, MemoryPeakBytes: 2 << 30,
			DiskBytes: 5 << 30, NetworkRxBytes: 1e9, NetworkTxBytes: 2e9},
		{At: T0.Add(time.Minute), Count: 1, State: panel.StateOffline},
	}, got, "[from, to), to the tenth of a percent, no figures when not live")
	last := find(t, s, "main/a", T0.Add(90*time.Second), T0.Add(time.Hour), store.Raw)
	require.Len(t, last, 1)
	assert.Equal(t, panel.StateStopping, last[0].State)
	assert.Equal(t, 2.0, last[0].CPUPercent)
	assert.Empty(t, find(t, s, "main/nobody", T0, T0.Add(time.Hour), store.Raw))
	assert.Len(t, find(t, s, "main/b", T0, T0.Add(time.Hour), store.Raw), 1)
}

// firstBucket writes ten samples in [T0, T0+5m): running with rising
// figures, then stopping, then offline without figures.
func firstBucket(t *testing.T, s store.Store) store.Sample {
	var rs []store.Reading
	for i := range 9 {
		st := panel.StateRunning
		if i == 8 {
			st = panel.StateStopping
		}
		rs = append(rs, reading("main/a", T0.Add(time.Duration(i)*30*time.Second), st,
			float64(i*10), 1000+int64(i)*100, 500-int64(i), int64(i)*1000))
	}
	rs = append(rs, store.Reading{Server: "main/a", At: T0.Add(270 * time.Second), Resources: panel.Resources{State: panel.StateOffline}})
	require.NoError(t, s.AppendSamples(context.Background(), rs))
	return store.Sample{At: T0, Span: store.BucketSpan, Count: 10, Running: 8, Live: 9, State: panel.StateOffline,
		CPUPercent: 40, CPUPeakPercent: 80, MemoryBytes: 1400, MemoryPeakBytes: 1800,
		DiskBytes: 500, NetworkRxBytes: 8000, NetworkTxBytes: 16000}
}

func testSamplesBuckets(t *testing.T, s store.Store) {
	want := firstBucket(t, s)
	next := T0.Add(store.BucketSpan)
	require.NoError(t, s.AppendSamples(context.Background(), []store.Reading{reading("main/a", next, panel.StateRunning, 1, 1, 1, 1)}))

	got := find(t, s, "main/a", T0.Add(time.Minute), next.Add(time.Second), store.Buckets)
	require.Len(t, got, 2, "from rounded down, to rounded up")
	assert.Equal(t, want, got[0])
	assert.Equal(t, next, got[1].At)
	assert.Equal(t, 1, got[1].Count)
	assert.Equal(t, []store.Sample{want}, find(t, s, "main/a", T0, next, store.Buckets))
}

func testMaintainKeepsHistory(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range 240 { // two hours
		at := T0.Add(time.Duration(i) * store.RawInterval)
		st := []panel.State{panel.StateRunning, panel.StateRunning, panel.StateOffline}[i%3]
		require.NoError(t, s.AppendSamples(ctx, []store.Reading{
			reading("main/a", at, st, float64(i%7)*3.3, int64(i*i), int64(i), int64(i)*10),
			reading("main/b", at, panel.StateRunning, 50, 7, 7, 7),
		}))
	}
	end := T0.Add(2 * time.Hour)
	before := find(t, s, "main/a", T0, end, store.Buckets)
	require.Len(t, before, 24)

	m, err := s.Maintain(ctx, T0.Add(store.RawRetention+time.Hour+time.Minute))
	require.NoError(t, err)
	assert.Equal(t, store.Maintenance{Downsampled: 2 * 120}, m, "the first hour of both servers, whole buckets")
	assert.Equal(t, before, find(t, s, "main/a", T0, end, store.Buckets), "downsampling changes no bucket")
	raw := find(t, s, "main/a", T0, end, store.Raw)
	require.Len(t, raw, 120)
	assert.Equal(t, T0.Add(time.Hour), raw[0].At)

	m, err = s.Maintain(ctx, T0.Add(store.RawRetention+time.Hour+time.Minute))
	require.NoError(t, err)
	assert.Zero(t, m, "nothing left to do")
	assert.Equal(t, before, find(t, s, "main/a", T0, end, store.Buckets))
}

func testLateSamples(t *testing.T, s store.Store) {
	ctx := context.Background()
	want := firstBucket(t, s)
	now := T0.Add(store.RawRetention + 10*time.Minute)
	_, err := s.Maintain(ctx, now)
	require.NoError(t, err)

	// Samples of a bucket already made: one later than its latest (its
	// state wins), one earlier (its state does not).
	require.NoError(t, s.AppendSamples(ctx, []store.Reading{
		reading("main/a", T0.Add(299*time.Second), panel.StateStarting, 100, 2400, 600, 10000),
		reading("main/a", T0.Add(15*time.Second), panel.StateRunning, 0, 0, 0, 0),
	}))
	want.Count, want.Running, want.Live, want.State = 12, 9, 11, panel.StateStarting
	want.CPUPercent, want.CPUPeakPercent = 41.8, 100 // (40×9 + 100 + 0) / 11, rounded to a tenth
	want.MemoryBytes, want.MemoryPeakBytes = 1364, 2400
	want.DiskBytes, want.NetworkRxBytes, want.NetworkTxBytes = 600, 10000, 20000
	onTheFly := find(t, s, "main/a", T0, T0.Add(store.BucketSpan), store.Buckets)
	assert.Equal(t, []store.Sample{want}, onTheFly)

	m, err := s.Maintain(ctx, now)
	require.NoError(t, err)
	assert.Equal(t, 2, m.Downsampled)
	assert.Equal(t, onTheFly, find(t, s, "main/a", T0, T0.Add(store.BucketSpan), store.Buckets),
		"merging in the database gives what merging on the fly gave")
}

func testMaintainPrunes(t *testing.T, s store.Store) {
	ctx := context.Background()
	firstBucket(t, s)
	require.NoError(t, s.AppendSamples(ctx, []store.Reading{reading("main/a", T0.Add(3*time.Hour), panel.StateRunning, 1, 1, 1, 1)}))
	alerts := []store.Alert{
		{Server: "main/a", Condition: "offline", Since: T0, Recovered: T0.Add(time.Hour)},
		{Server: "main/a", Condition: "memory", Since: T0},
		{Server: "main/b", Condition: "offline", Since: T0, Recovered: T0.Add(20 * 24 * time.Hour)},
	}
	for _, a := range alerts {
		require.NoError(t, s.PutAlert(ctx, a))
	}
	m, err := s.Maintain(ctx, T0.Add(store.History+2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, store.Maintenance{Downsampled: 11, PrunedBuckets: 1, PrunedAlerts: 1}, m)
	left := find(t, s, "main/a", T0, T0.Add(store.History), store.Buckets)
	require.Len(t, left, 1, "the bucket older than History is gone")
	assert.Equal(t, T0.Add(3*time.Hour), left[0].At)
	kept, err := s.FindAlerts(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.Alert{alerts[1], alerts[2]}, kept, "open episodes stay")
}
