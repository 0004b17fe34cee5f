package chart

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

// end is the right edge of every test chart: a fixed time, so that renders
// are reproducible.
var end = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// samples returns n samples every interval up to end, with a wavy CPU
// (phase shifts it) and memory climbing towards a 4 GiB limit.
func samples(n int, interval time.Duration, phase float64) []Point {
	pts := make([]Point, n)
	for i := range pts {
		f := float64(i) / float64(n)
		pts[i] = Point{
			Time:             end.Add(-time.Duration(n-1-i) * interval),
			State:            panel.StateRunning,
			CPUPercent:       max(0, 60+50*math.Sin(phase+f*12*math.Pi)+20*math.Sin(f*97)),
			MemoryBytes:      int64((1.2 + 1.8*f + 0.2*math.Sin(f*40)) * (1 << 30)),
			MemoryLimitBytes: 4 << 30,
		}
	}
	return pts
}

// decode renders c and decodes the PNG, failing the test on any error.
func decode(t testing.TB, c Chart) image.Image {
	t.Helper()
	b, err := Render(c)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	if dir := os.Getenv("CHART_SAMPLES"); dir != "" {
		name := filepath.Join(dir, sanitizeTestName(t.Name())+".png")
		require.NoError(t, os.WriteFile(name, b, 0o644))
	}
	return img
}

// sanitizeTestName makes a test's name usable as a file name.
func sanitizeTestName(s string) string {
	out := []rune(s)
	for i, r := range out {
		if r == '/' || r == ' ' || r == os.PathSeparator {
			out[i] = '_'
		}
	}
	return string(out)
}

// countNear counts the pixels in columns [x0, x1) whose colour is within a
// small distance of one of colours (0xRRGGBB), which catches a line's
// anti-aliased core but not its faint fringe.
func countNear(img image.Image, x0, x1 int, colours ...uint32) int {
	n := 0
	for x := x0; x < x1; x++ {
		for y := range Height {
			r, g, b, _ := img.At(x, y).RGBA()
			for _, c := range colours {
				if near(r>>8, c>>16&0xFF) && near(g>>8, c>>8&0xFF) && near(b>>8, c&0xFF) {
					n++
					break
				}
			}
		}
	}
	return n
}

func near(a, b uint32) bool { return max(a, b)-min(a, b) <= 24 }

// small scales samples down to a server of 300-odd MiB with a 512 MiB limit
// and little CPU.
func small(pts []Point) []Point {
	for i := range pts {
		pts[i].CPUPercent /= 8
		pts[i].MemoryBytes /= 10
		pts[i].MemoryLimitBytes = 512 << 20
	}
	return pts
}

// gappyWeek is a week of 5-minute samples with a day missing, a night
// offline and one lone sample between two gaps.
func gappyWeek() []Point {
	var out []Point
	for _, p := range samples(7*24*12, 5*time.Minute, 0) {
		ago := end.Sub(p.Time)
		switch {
		case ago > 4*24*time.Hour && ago < 5*24*time.Hour && ago != 4*24*time.Hour+12*time.Hour:
			continue
		case ago > 36*time.Hour && ago < 44*time.Hour:
			p.State = panel.StateOffline
		}
		out = append(out, p)
	}
	return out
}
