package chart

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkRender renders a week of 30-second samples (20,160 points), a
// day (2,880) and an hour (120), and reports the median and 99th
// percentile of one render: wall time (p50-ms, p99-ms), which a busy
// machine inflates, and on Linux the rendering thread's CPU time
// (p50-cpu-ms, p99-cpu-ms), which it does not. Run enough renders for the
// p99 to mean something:
//
//	go test -run '^$' -bench Render -benchtime 300x ./internal/chart
func BenchmarkRender(b *testing.B) {
	for _, c := range []struct {
		name string
		r    Range
		n    int
	}{
		{"week", Week, 7 * 24 * 120},
		{"day", Day, 24 * 120},
		{"hour", Hour, 120},
	} {
		b.Run(c.name, func(b *testing.B) {
			ch := Chart{Name: "Survival SMP", Range: c.r, End: end, Points: samples(c.n, 30*time.Second, 0)}
			benchRender(b, ch)
		})
	}
}

// benchRender renders ch b.N times and reports the percentiles.
func benchRender(b *testing.B, ch Chart) {
	runtime.LockOSThread() // so that threadCPU measures this goroutine
	defer runtime.UnlockOSThread()
	wall := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	for b.Loop() {
		c0, ok := threadCPU()
		t0 := time.Now()
		if _, err := Render(ch); err != nil {
			b.Fatal(err)
		}
		wall = append(wall, time.Since(t0))
		if c1, _ := threadCPU(); ok {
			cpu = append(cpu, time.Duration(c1-c0))
		}
	}
	reportPercentiles(b, wall, "")
	reportPercentiles(b, cpu, "-cpu")
}

// reportPercentiles adds the p50 and p99 of times, in milliseconds.
func reportPercentiles(b *testing.B, times []time.Duration, kind string) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	at := func(q float64) float64 {
		return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50"+kind+"-ms")
	b.ReportMetric(at(0.99), "p99"+kind+"-ms")
}
