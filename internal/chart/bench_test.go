package chart

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkRender renders a week of 30-second samples (20,160 points) and
// an hour of them (120), and reports the median and 99th-percentile time of
// one render. Run enough renders for the p99 to mean something:
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
			times := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				if _, err := Render(ch); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
			}
			reportPercentiles(b, times)
		})
	}
}

// reportPercentiles adds the p50 and p99 of times, in milliseconds.
func reportPercentiles(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	at := func(q float64) float64 {
		return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
