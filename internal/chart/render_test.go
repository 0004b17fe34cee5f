package chart

import (
	"image"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRenderSize(t *testing.T) {
	for _, c := range []struct {
		name string
		r    Range
		pts  []Point
	}{
		{"hour", Hour, samples(120, 30*time.Second, 0)},
		{"day", Day, samples(2880, 30*time.Second, 0)},
		{"week", Week, samples(20160, 30*time.Second, 0)},
		{"small server", Week, small(gappyWeek())},
		{"empty", Day, nil},
		{"all before the window", Hour, samples(120, 30*time.Second, 0)[:1]},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "all before the window" {
				c.pts[0].Time = end.Add(-2 * time.Hour)
			}
			img := decode(t, Chart{Name: "Survival SMP", Range: c.r, End: end, Points: c.pts})
			assert.Equal(t, image.Rect(0, 0, Width, Height), img.Bounds())
		})
	}
}

func TestRenderRefusesUnknownRange(t *testing.T) {
	_, err := Render(Chart{Name: "x", Range: "2h"})
	assert.ErrorContains(t, err, `unknown range "2h"`)
}

func TestDifferentDataDifferentPixels(t *testing.T) {
	a := decode(t, Chart{Name: "s", Range: Day, End: end, Points: samples(2880, 30*time.Second, 0)})
	b := decode(t, Chart{Name: "s", Range: Day, End: end, Points: samples(2880, 30*time.Second, 1)})
	_, below := diffRows(a, b)
	assert.Greater(t, below, 1000, "pixels that differ below the title")
}

func TestDifferentNamesDifferentTitles(t *testing.T) {
	pts := samples(120, 30*time.Second, 0)
	a := decode(t, Chart{Name: "Alpha", Range: Hour, End: end, Points: pts})
	b := decode(t, Chart{Name: "Omega", Range: Hour, End: end, Points: pts})
	title, below := diffRows(a, b)
	assert.Greater(t, title, 100, "pixels that differ in the title row")
	assert.Zero(t, below, "the name changed something outside the title")
}

// titleRows is how far down from the top of the image the title row ends.
const titleRows = int((margin + titleHeight) * dpi / 72)

// diffRows counts the pixels that differ between a and b in the title row
// and below it.
func diffRows(a, b image.Image) (title, below int) {
	for y := range Height {
		for x := range Width {
			if a.At(x, y) == b.At(x, y) {
				continue
			}
			if y < titleRows {
				title++
			} else {
				below++
			}
		}
	}
	return title, below
}

func TestEmptyChartSaysSo(t *testing.T) {
	empty := decode(t, Chart{Name: "s", Range: Day, End: end})
	zero := decode(t, Chart{Name: "s", Range: Day}) // no End, no points: no time.Now either
	title, below := diffRows(empty, zero)
	assert.Zero(t, title+below, "an empty chart depends on nothing but its name and range")
	full := decode(t, Chart{Name: "s", Range: Day, End: end, Points: samples(2880, 30*time.Second, 0)})
	assert.Less(t, countNear(empty, 0, Width, textColour, mutedColour), countNear(full, 0, Width, textColour, mutedColour),
		"the empty chart has only its title and one sentence of text")
	assert.Zero(t, countNear(empty, 0, Width, cpuColour, memoryColour), "no series drawn")
}

func TestRenderLeavesInputAlone(t *testing.T) {
	pts := samples(300, 30*time.Second, 0)
	shuffled := slices.Clone(pts)
	slices.Reverse(shuffled)
	before := slices.Clone(shuffled)
	a := decode(t, Chart{Name: "s", Range: Hour, End: end, Points: pts})
	b := decode(t, Chart{Name: "s", Range: Hour, End: end, Points: shuffled})
	assert.Equal(t, before, shuffled, "Render modified the caller's slice")
	title, below := diffRows(a, b)
	assert.Zero(t, title+below, "the order of the samples changed the picture")
}

func TestEndDefaultsToNewestSample(t *testing.T) {
	pts := samples(120, 30*time.Second, 0)
	a := decode(t, Chart{Name: "s", Range: Hour, End: end, Points: pts})
	b := decode(t, Chart{Name: "s", Range: Hour, Points: pts})
	title, below := diffRows(a, b)
	assert.Zero(t, title+below)
}

func TestHostileNamesRenderAndAreCut(t *testing.T) {
	pts := samples(120, 30*time.Second, 0)
	for name, in := range map[string]string{
		"very long":   strings.Repeat("W", 10_000),
		"controls":    "evil\x00\x07\x1b[31mred\r\nsecond line\t",
		"rtl":         "\u202Eesrever\u202C and \u2067isolate\u2069",
		"emoji":       "🎮 Survival 👩‍👩‍👧‍👦🏳️‍🌈 SMP",
		"cjk":         "日本語のサーバー",
		"invalid":     "bad\xff\xfeutf8",
		"only format": "\u200b\u200d\u202e\ufeff",
		"combining":   "Z̷̢͎a̶l̵g̸o̴" + strings.Repeat("\u0301", 500),
	} {
		t.Run(name, func(t *testing.T) {
			img := decode(t, Chart{Name: in, Range: Hour, End: end, Points: pts})
			assert.Equal(t, image.Rect(0, 0, Width, Height), img.Bounds())
		})
	}
}

// FuzzRenderName renders a small chart under any name: it must not fail,
// must decode, and must keep its size.
func FuzzRenderName(f *testing.F) {
	for _, s := range []string{"Survival SMP", "\u202Eevil\u202C", "🎮 SMP", "Z̷̢͎a̶l̵g̸o̴", "\x00\r\n", strings.Repeat("W", 500)} {
		f.Add(s)
	}
	pts := samples(20, 3*time.Minute, 0)
	f.Fuzz(func(t *testing.T, name string) {
		img := decode(t, Chart{Name: name, Range: Hour, End: end, Points: pts})
		if img.Bounds() != image.Rect(0, 0, Width, Height) {
			t.Fatalf("size %v", img.Bounds())
		}
	})
}

func TestExtremeValuesDoNotBreakTheChart(t *testing.T) {
	for name, edit := range map[string]func(p *Point){
		"huge CPU":       func(p *Point) { p.CPUPercent = math.MaxFloat64 },
		"infinite CPU":   func(p *Point) { p.CPUPercent = math.Inf(1) },
		"huge memory":    func(p *Point) { p.MemoryBytes, p.MemoryLimitBytes = math.MaxInt64, math.MaxInt64 },
		"negative limit": func(p *Point) { p.MemoryLimitBytes = -1 },
		"zero time":      func(p *Point) { p.Time = time.Time{} },
		"far future":     func(p *Point) { p.Time = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) },
	} {
		t.Run(name, func(t *testing.T) {
			pts := samples(120, 30*time.Second, 0)
			for i := range pts {
				if i%7 == 0 {
					edit(&pts[i])
				}
			}
			t.Run("end from samples", func(t *testing.T) { decode(t, Chart{Name: "s", Range: Hour, Points: pts}) })
			t.Run("end in 3000", func(t *testing.T) {
				decode(t, Chart{Name: "s", Range: Week, End: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), Points: pts})
			})
		})
	}
}
