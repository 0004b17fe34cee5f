// Package chart draws a server's resource history (CPU and memory over the
// last hour, day or week) as a PNG that /history attaches to its answer.
//
// It knows nothing of Discord or of the store: the caller hands it a Chart
// (a name, a Range and the samples) and gets PNG bytes back. Drawing is done
// with gonum.org/v1/plot, whose fonts (Liberation) are compiled into the
// binary, so rendering needs no font files at run time.
package chart

import (
	"fmt"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// Width and Height are the size of every rendered PNG, in pixels. 2:1 leaves
// each of the two stacked panels wide and tall enough to read a week of
// samples, and Discord shows it without cropping.
const (
	Width  = 1000
	Height = 500
)

// Point is one sample of a server's state, as the store keeps it.
//
// A sample whose State is offline, or whose figures are negative, not
// numbers or beyond belief (CPU over 10,000 cores), is drawn as a gap: an
// offline server's zeros are not usage. Offline stretches are shaded as
// well. A sample the panel answered without live figures
// (panel.Resources.Live false) should be left out by the caller, which
// also shows as a gap.
type Point struct {
	Time        time.Time
	State       panel.State
	CPUPercent  float64 // 100 is one full core
	MemoryBytes int64
	// MemoryLimitBytes is 0 when unlimited or unknown; the limit line is
	// then not drawn for that sample.
	MemoryLimitBytes int64
}

// Chart is everything one rendering needs.
type Chart struct {
	// Name is the server's display name. It is sanitised (control and
	// direction-override characters removed) and cut to fit the title.
	Name  string
	Range Range
	// End is the right edge of the time axis, normally "now". When zero,
	// the newest sample's time is used.
	End time.Time
	// Interval is how often the store samples. Two samples further apart
	// than 2.5 intervals (and than one pixel column, as a narrower gap
	// could not be seen) are not joined by a line. When zero it is
	// inferred from the samples (their median spacing).
	Interval time.Duration
	// Points are the samples, in any order; those outside the window are
	// ignored. Render does not modify the slice.
	Points []Point
}

// Render draws c as a Width×Height PNG. A chart without samples in its
// window is still a valid PNG, one that says "no samples yet". The only
// errors are an invalid Range and a failure to encode the image.
func Render(c Chart) ([]byte, error) {
	if !c.Range.Valid() {
		return nil, fmt.Errorf("render chart: unknown range %q", string(c.Range))
	}
	start, end := window(c)
	s := build(c, start, end)
	img := paint(c, s, start, end)
	// Paletted: a third of the bytes to compress and no per-row filter
	// search, which halves the encoding time and the file (see palette.go).
	b, err := encode(toPaletted(img, palette()))
	if err != nil {
		return nil, fmt.Errorf("render chart: %w", err)
	}
	return b, nil
}

// window returns the time span the chart covers.
func window(c Chart) (start, end time.Time) {
	end = c.End
	if end.IsZero() {
		for _, p := range c.Points {
			if p.Time.After(end) {
				end = p.Time
			}
		}
	}
	return end.Add(-c.Range.Duration()), end
}
