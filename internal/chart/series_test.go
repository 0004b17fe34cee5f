package chart

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/plotter"

	"github.com/panelbot/panelbot/internal/panel"
)

// at is a running sample ago before end with the given CPU.
func at(ago time.Duration, cpu float64) Point {
	return Point{Time: end.Add(-ago), State: panel.StateRunning, CPUPercent: cpu, MemoryBytes: 1 << 20}
}

func TestRunsSplitOnGapsAndUnusableSamples(t *testing.T) {
	pts := []Point{
		at(300*time.Second, 1), at(270*time.Second, 2), // a run
		at(150*time.Second, 3), at(120*time.Second, 4), // after a 2-minute gap
		at(90*time.Second, math.NaN()), // unusable
		at(60*time.Second, 5),          // a run of one
		{Time: end.Add(-30 * time.Second), State: panel.StateOffline},
		at(0, -1), // negative: unusable
	}
	got := runs(pts, usable, 75*time.Second)
	require.Len(t, got, 3)
	assert.Len(t, got[0], 2)
	assert.Len(t, got[1], 2)
	assert.Equal(t, 5.0, got[2][0].CPUPercent)
	assert.Len(t, runs(pts, offline, 75*time.Second), 1)
}

func TestMaxGap(t *testing.T) {
	pts := []Point{at(120*time.Second, 0), at(90*time.Second, 0), at(60*time.Second, 0), at(0, 0)}
	assert.Equal(t, 75*time.Second, maxGap(pts, 0), "2.5 times the median spacing")
	assert.Equal(t, 25*time.Second, maxGap(pts, 10*time.Second), "2.5 times the stated interval")
	assert.Zero(t, maxGap(pts[:1], 0))
}

func TestDownsampleKeepsExtremesInOrder(t *testing.T) {
	// 1,000 samples in one bucket, with a spike and a dip.
	run := make([]Point, 1000)
	for i := range run {
		run[i] = at(time.Duration(1000-i)*time.Millisecond, 50)
	}
	run[300].CPUPercent, run[700].CPUPercent = 400, 0
	d := downsampler{start: unix(end.Add(-time.Hour)), width: 3600.0 / buckets}
	got := d.line(run, func(p Point) float64 { return p.CPUPercent })
	assert.Equal(t, plotter.XYs{{X: unix(run[300].Time), Y: 400}, {X: unix(run[700].Time), Y: 0}}, got)
}

func TestDownsampleBoundsPoints(t *testing.T) {
	pts := samples(7*24*120, 30*time.Second, 0)
	start := end.Add(-Week.Duration())
	s := build(Chart{Range: Week, End: end, Points: pts}, start, end)
	require.Len(t, s.cpu, 1)
	assert.LessOrEqual(t, len(s.cpu[0]), 2*(buckets+1))
	assert.Greater(t, len(s.cpu[0]), buckets, "every column has a point")
}

func TestPickUnit(t *testing.T) {
	for _, c := range []struct {
		mem, limit int64
		want       string
	}{
		{512 << 20, 0, "MiB"},
		{512 << 20, 1 << 30, "GiB"},
		{3 << 30, 0, "GiB"},
		{0, 0, "MiB"},
	} {
		p := at(0, 1)
		p.MemoryBytes, p.MemoryLimitBytes = c.mem, c.limit
		assert.Equal(t, c.want, pickUnit([]Point{p}).name, "%d of %d", c.mem, c.limit)
	}
}

func TestOfflineSpans(t *testing.T) {
	pts := []Point{at(90*time.Second, 1), at(60*time.Second, 1), at(30*time.Second, 1), at(0, 1)}
	pts[1].State, pts[2].State = panel.StateOffline, panel.StateOffline
	s := build(Chart{Range: Hour, End: end, Points: pts}, end.Add(-time.Hour), end)
	assert.Equal(t, []span{{unix(pts[1].Time), unix(pts[2].Time)}}, s.offline)
	assert.Len(t, s.cpu, 2, "the line stops at the offline stretch and starts again after it")
}

func TestInWindow(t *testing.T) {
	pts := []Point{at(3*time.Hour, 1), at(time.Hour, 2), at(30*time.Minute, 3), at(0, 4), at(-time.Minute, 5)}
	start := end.Add(-time.Hour)
	sorted := inWindow(pts, start, end)
	assert.Equal(t, []float64{2, 3, 4}, cpus(sorted), "inclusive at both ends")
	assert.Equal(t, len(sorted), cap(sorted), "appending cannot overwrite the caller's samples")

	shuffled := []Point{pts[3], pts[0], pts[4], pts[1], pts[2]}
	assert.Equal(t, []float64{2, 3, 4}, cpus(inWindow(shuffled, start, end)))
	assert.Equal(t, 4.0, shuffled[0].CPUPercent, "the caller's order is kept")
	assert.Empty(t, inWindow(pts, end.Add(time.Hour), end.Add(2*time.Hour)))
}

func cpus(pts []Point) []float64 {
	out := make([]float64, len(pts))
	for i, p := range pts {
		out[i] = p.CPUPercent
	}
	return out
}
