package chart

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

// The data area of a chart runs from about dataLeft to dataRight pixels;
// the tests look well inside a gap, so the estimate need not be exact.
const dataLeft, dataRight = 95, 965

// column is the pixel column of time t on a chart of range r ending at end.
func column(r Range, t time.Time) int {
	frac := 1 - end.Sub(t).Seconds()/r.Duration().Seconds()
	return dataLeft + int(frac*(dataRight-dataLeft))
}

// gappy is a day of 30-second samples with nothing between 14 and 10 hours
// ago and the server offline between 6 and 4 hours ago.
func gappy() []Point {
	var out []Point
	for _, p := range samples(2880, 30*time.Second, 0) {
		ago := end.Sub(p.Time)
		switch {
		case ago > 10*time.Hour && ago < 14*time.Hour:
			continue
		case ago > 4*time.Hour && ago < 6*time.Hour:
			p.State, p.CPUPercent, p.MemoryBytes = panel.StateOffline, 0, 0
		}
		out = append(out, p)
	}
	return out
}

func TestGapsAreGaps(t *testing.T) {
	full := decode(t, Chart{Name: "s", Range: Day, End: end, Points: samples(2880, 30*time.Second, 0)})
	gaps := decode(t, Chart{Name: "s", Range: Day, End: end, Points: gappy()})
	for name, mid := range map[string]time.Time{
		"no samples": end.Add(-12 * time.Hour),
		"offline":    end.Add(-5 * time.Hour),
	} {
		t.Run(name, func(t *testing.T) {
			x := column(Day, mid)
			require.Positive(t, countNear(full, x-20, x+20, cpuColour), "control: the full chart has a CPU line here")
			require.Positive(t, countNear(full, x-20, x+20, memoryColour), "control: the full chart has a memory line here")
			assert.Zero(t, countNear(gaps, x-20, x+20, cpuColour, memoryColour), "a line crosses the gap")
		})
	}
	// A column through both panels crosses some 300 pixels of band; grid
	// lines, close in colour, account for a few.
	x := column(Day, end.Add(-5*time.Hour))
	assert.Greater(t, countNear(gaps, x, x+1, offlineColour), 200, "the offline stretch is shaded")
	x = column(Day, end.Add(-12*time.Hour))
	assert.Less(t, countNear(gaps, x, x+1, offlineColour), 20, "a stretch without samples is not shaded")
}

func TestLoneSampleIsVisible(t *testing.T) {
	pts := samples(120, 30*time.Second, 0)
	lone := []Point{pts[60]}
	img := decode(t, Chart{Name: "s", Range: Hour, End: end, Points: lone})
	x := column(Hour, lone[0].Time)
	assert.Positive(t, countNear(img, x-5, x+5, cpuColour), "a single sample still shows")
}
