package chart

import (
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// lineWidth is the width of the series lines: 2.4 pixels, thick enough to
// survive Discord's half-size preview.
const lineWidth = vg.Length(1.2)

// headroom keeps the highest sample off the top edge of its panel.
const headroom = 1.08

// panels returns the two stacked plots: CPU on top, memory and its limit
// below, on the same time axis.
//
// Two panels rather than one plot with two y axes: the percentages and the
// bytes have nothing in common, and two scales on one plot make the reader
// work out which line belongs to which axis. Stacked, each panel has its
// own honest axis and the shared time axis lines up (plot.Align).
func panels(s series, r Range, start, end time.Time) (cpu, mem *plot.Plot) {
	dash := end.Sub(start).Seconds() / buckets * 1.5
	cpu = basePlot(s, r, false)
	cpu.Y.Label.Text = "CPU (% of one core)"
	addLines(cpu, s.cpu, lineStyle(cpuColour, lineWidth), dash)
	cpu.Y.Min, cpu.Y.Max = 0, max(s.cpuMax, 10)*headroom

	mem = basePlot(s, r, true)
	mem.Y.Label.Text = "Memory (" + s.unit.name + ")"
	addLines(mem, s.limit, limitStyle(), dash)
	addLines(mem, s.memory, lineStyle(memoryColour, lineWidth), dash)
	mem.Y.Min, mem.Y.Max = 0, max(s.memoryMax, 1)*headroom

	// The x range is the window, not the data's extent.
	for _, p := range []*plot.Plot{cpu, mem} {
		p.X.Min, p.X.Max = unix(start), unix(end)
	}
	return cpu, mem
}

// basePlot is a panel with the chart's styling, its time ticks, the grid
// and the offline spans. Only the bottom panel labels its times;
// the top one keeps the ticks and grid so the eye can follow them up.
func basePlot(s series, r Range, labelTimes bool) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil // the card behind is the background
	styleAxis(&p.X)
	styleAxis(&p.Y)
	p.Y.Tick.Marker = plainTicks{}
	p.X.Tick.Marker = timeTicker(r)
	if labelTimes {
		p.X.Label.Text = "Time (UTC)"
	} else {
		p.X.Tick.Label.Font.Size = 0 // takes no room and draws nothing
	}
	grid := plotter.NewGrid()
	grid.Vertical = lineStyle(gridColour, vg.Points(0.5))
	grid.Horizontal = grid.Vertical
	p.Add(&bands{spans: s.offline}, grid)
	return p
}

// addLines adds one line per run. A run of a single sample would be an
// invisible zero-length line, so it is drawn as a dash of ±half seconds.
func addLines(p *plot.Plot, runs []plotter.XYs, style draw.LineStyle, half float64) {
	for _, xy := range runs {
		if len(xy) == 1 {
			xy = plotter.XYs{{X: xy[0].X - half, Y: xy[0].Y}, {X: xy[0].X + half, Y: xy[0].Y}}
		}
		p.Add(line{&plotter.Line{XYs: xy, LineStyle: style}})
	}
}

// line draws a plotter.Line and hides its other methods from plot.Plot.
// A Line offers a GlyphBox per point, which the plot collects several
// times per render to pad for glyphs a line does not have: at two points
// per pixel that was most of the drawing's time and allocations. Its
// DataRange is not needed either, as panels sets both ranges itself.
// Built directly rather than with NewLine: the points are finite and owned
// here, so NewLine's copy and check would be waste.
type line struct{ l *plotter.Line }

// Plot implements plot.Plotter.
func (l line) Plot(c draw.Canvas, p *plot.Plot) { l.l.Plot(c, p) }

// timeTicker marks the time axis at round UTC times: a minor tick every
// spec.minor and a labelled one every spec.major.
func timeTicker(r Range) plot.Ticker {
	spec := r.ticks()
	minor, major := spec.minor.Seconds(), spec.major.Seconds()
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ticks []plot.Tick
		// Whole seconds as floats stay exact far beyond any Unix time.
		for v := math.Ceil(lo/minor) * minor; v <= hi; v += minor {
			t := plot.Tick{Value: v}
			if math.Mod(v, major) == 0 {
				t.Label = spec.label(time.Unix(int64(v), 0).UTC())
			}
			ticks = append(ticks, t)
		}
		return ticks
	})
}

// plainTicks are gonum's default value ticks, labelled without the padding
// zeros gonum adds to some ranges ("250", not "250.00").
type plainTicks struct{}

// Ticks implements plot.Ticker.
func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" {
			// Rounded first so that 0.1+0.2 is labelled "0.3".
			ticks[i].Label = strconv.FormatFloat(math.Round(t.Value*1e6)/1e6, 'f', -1, 64)
		}
	}
	return ticks
}
