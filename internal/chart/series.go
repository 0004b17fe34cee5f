package chart

import (
	"slices"
	"sort"
	"time"

	"gonum.org/v1/plot/plotter"

	"github.com/panelbot/panelbot/internal/panel"
)

// buckets is how many time columns the window is cut into before drawing.
// Each keeps at most two points (its lowest and highest), and the data area
// is narrower than the image, so a week of 30-second samples becomes at most
// two points per pixel: the picture is the same, the drawing much cheaper.
const buckets = Width

// series is the data as it will be drawn. Each line is one run of samples
// with no gap inside; x is Unix seconds, y is in the axis's unit.
type series struct {
	cpu, memory, limit []plotter.XYs
	offline            []span
	cpuMax, memoryMax  float64
	unit               memUnit
	points             int // samples in the window
}

// span is a stretch of the time axis, in Unix seconds.
type span struct{ from, to float64 }

// build turns the samples in [start, end] into lines, gaps and offline spans.
func build(c Chart, start, end time.Time) series {
	pts := inWindow(c.Points, start, end)
	s := series{points: len(pts), unit: pickUnit(pts)}
	if len(pts) == 0 {
		return s
	}
	d := downsampler{start: unix(start), width: end.Sub(start).Seconds() / buckets}
	gap := max(maxGap(pts, c.Interval), end.Sub(start)/buckets)
	cpu := func(p Point) float64 { return p.CPUPercent }
	mem := func(p Point) float64 { return float64(p.MemoryBytes) / s.unit.bytes }
	limit := func(p Point) float64 { return float64(p.MemoryLimitBytes) / s.unit.bytes }
	for _, run := range runs(pts, usable, gap) {
		s.cpu = append(s.cpu, d.line(run, cpu))
		s.memory = append(s.memory, d.line(run, mem))
		for _, lr := range runs(run, hasLimit, gap) {
			s.limit = append(s.limit, d.line(lr, limit))
		}
		for _, p := range run {
			s.cpuMax = max(s.cpuMax, cpu(p))
			s.memoryMax = max(s.memoryMax, mem(p), limit(p))
		}
	}
	for _, run := range runs(pts, offline, gap) {
		s.offline = append(s.offline, span{unix(run[0].Time), unix(run[len(run)-1].Time)})
	}
	return s
}

// inWindow returns the samples in [start, end], oldest first. Samples in
// time order (the store's) are cut out of pts without a copy; others are
// copied and sorted, so that the caller's slice is never reordered.
func inWindow(pts []Point, start, end time.Time) []Point {
	byTime := func(a, b Point) int { return a.Time.Compare(b.Time) }
	if slices.IsSortedFunc(pts, byTime) {
		lo := sort.Search(len(pts), func(i int) bool { return !pts[i].Time.Before(start) })
		hi := sort.Search(len(pts), func(i int) bool { return pts[i].Time.After(end) })
		return pts[lo:max(lo, hi):max(lo, hi)]
	}
	out := make([]Point, 0, len(pts))
	for _, p := range pts {
		if !p.Time.Before(start) && !p.Time.After(end) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, byTime)
	return out
}

// maxCPU is the highest CPU figure believed: 10,000 cores. Anything above
// is a panel's error, and one such sample would flatten every other into
// the axis (or, near the float limit, make the axis infinite).
const maxCPU = 1e6

// usable reports whether a sample's figures can be drawn.
func usable(p Point) bool {
	return p.State != panel.StateOffline && p.MemoryBytes >= 0 &&
		p.CPUPercent >= 0 && p.CPUPercent <= maxCPU // NaN fails both
}

func hasLimit(p Point) bool { return p.MemoryLimitBytes > 0 }

func offline(p Point) bool { return p.State == panel.StateOffline }

// runs splits pts into the longest stretches of samples that keep accepts
// and that are no more than gap apart.
func runs(pts []Point, keep func(Point) bool, gap time.Duration) [][]Point {
	var out [][]Point
	from := -1
	for i, p := range pts {
		if from >= 0 && (!keep(p) || p.Time.Sub(pts[i-1].Time) > gap) {
			out = append(out, pts[from:i])
			from = -1
		}
		if from < 0 && keep(p) {
			from = i
		}
	}
	if from >= 0 {
		out = append(out, pts[from:])
	}
	return out
}

// maxGap is the longest spacing between two samples that a line still
// joins: 2.5 sampling intervals, so that one missed sample (jitter, a slow
// panel) does not break the line but two do.
func maxGap(pts []Point, interval time.Duration) time.Duration {
	if interval > 0 {
		return interval * 5 / 2
	}
	diffs := make([]time.Duration, 0, len(pts))
	for i := 1; i < len(pts); i++ {
		if d := pts[i].Time.Sub(pts[i-1].Time); d > 0 {
			diffs = append(diffs, d)
		}
	}
	if len(diffs) == 0 {
		return 0
	}
	slices.Sort(diffs)
	return diffs[len(diffs)/2] * 5 / 2
}

// downsampler keeps, per time bucket, the lowest and the highest sample.
// Keeping both (not the mean) means a one-sample CPU spike in a week still
// shows.
type downsampler struct {
	start, width float64 // Unix seconds
}

// line returns the run's points for drawing, at most two per bucket, in
// time order.
func (d downsampler) line(run []Point, val func(Point) float64) plotter.XYs {
	out := make(plotter.XYs, 0, min(len(run), 2*buckets))
	var lo, hi plotter.XY
	bucket := -1
	for _, p := range run {
		xy := plotter.XY{X: unix(p.Time), Y: val(p)}
		if b := int((xy.X - d.start) / d.width); b != bucket {
			out = appendPair(out, lo, hi, bucket >= 0)
			bucket, lo, hi = b, xy, xy
			continue
		}
		if xy.Y < lo.Y {
			lo = xy
		}
		if xy.Y > hi.Y {
			hi = xy
		}
	}
	return appendPair(out, lo, hi, bucket >= 0)
}

// appendPair appends a bucket's low and high points in time order, once
// when they are the same sample.
func appendPair(out plotter.XYs, lo, hi plotter.XY, ok bool) plotter.XYs {
	switch {
	case !ok:
		return out
	case lo == hi:
		return append(out, lo)
	case lo.X > hi.X:
		return append(out, hi, lo)
	default:
		return append(out, lo, hi)
	}
}

// unix is t in seconds since the epoch, the x coordinate of the chart.
// Not UnixNano, which overflows outside the years 1678 to 2262.
func unix(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

// memUnit is the unit the memory axis is labelled in.
type memUnit struct {
	name  string
	bytes float64
}

// pickUnit chooses GiB once memory or its limit reaches 1 GiB, MiB below:
// "0.25 GiB" and "3000 MiB" both read worse than the alternative.
func pickUnit(pts []Point) memUnit {
	var top int64
	for _, p := range pts {
		if usable(p) {
			top = max(top, p.MemoryBytes, p.MemoryLimitBytes)
		}
	}
	if top >= 1<<30 {
		return memUnit{"GiB", 1 << 30}
	}
	return memUnit{"MiB", 1 << 20}
}
