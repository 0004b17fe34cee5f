package chart

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bands shades the spans when the server was reported offline, so that a
// gap for "offline" is told apart from a gap for "no samples".
type bands struct {
	spans []span
}

// minBand is the narrowest a band is drawn: one offline sample between two
// running ones is a zero-length span but still worth a visible stripe.
const minBand = vg.Length(1)

// Plot implements plot.Plotter.
func (b *bands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	c.SetColor(rgb(offlineColour))
	for _, s := range b.spans {
		x0, x1 := max(trX(s.from), c.Min.X), min(trX(s.to), c.Max.X)
		if x1-x0 < minBand {
			x0, x1 = x0-minBand/2, x1+minBand/2
		}
		c.Fill(rect(x0, c.Min.Y, x1, c.Max.Y))
	}
}

// Thumbnail implements plot.Thumbnailer for the legend.
func (b *bands) Thumbnail(c *draw.Canvas) {
	c.SetColor(rgb(offlineColour))
	c.Fill(rect(c.Min.X, c.Min.Y, c.Max.X, c.Max.Y))
}

// rect is the path around a rectangle.
func rect(x0, y0, x1, y1 vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: x0, Y: y0})
	p.Line(vg.Point{X: x1, Y: y0})
	p.Line(vg.Point{X: x1, Y: y1})
	p.Line(vg.Point{X: x0, Y: y1})
	p.Close()
	return p
}

// legendEntry is one item of the legend: a sample of the style and a name.
type legendEntry struct {
	thumb plot.Thumbnailer
	label string
}

// legendEntries lists what the chart shows; the limit and offline entries
// only when the chart has them, so the legend never explains an absence.
func legendEntries(s series) []legendEntry {
	es := []legendEntry{
		{&plotter.Line{LineStyle: lineStyle(cpuColour, lineWidth)}, "CPU"},
		{&plotter.Line{LineStyle: lineStyle(memoryColour, lineWidth)}, "Memory"},
	}
	if len(s.limit) > 0 {
		es = append(es, legendEntry{&plotter.Line{LineStyle: limitStyle()}, "Memory limit"})
	}
	if len(s.offline) > 0 {
		es = append(es, legendEntry{&bands{}, "Offline"})
	}
	return es
}

// drawLegend lays the entries out in one row from the left of c. gonum's
// own Legend stacks entries vertically, which would cost a panel's height.
func drawLegend(c draw.Canvas, es []legendEntry) {
	const thumbW, gapIn, gapOut = vg.Length(14), vg.Length(3), vg.Length(12)
	sty := textStyle(legendSize, false)
	h := sty.Height("Mg")
	mid := (c.Min.Y + c.Max.Y) / 2
	x := c.Min.X
	for _, e := range es {
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: mid - h/3},
			Max: vg.Point{X: x + thumbW, Y: mid + h/3},
		}}
		e.thumb.Thumbnail(&icon)
		x += thumbW + gapIn
		c.FillText(sty, vg.Point{X: x, Y: mid}, e.label)
		x += sty.Width(e.label) + gapOut
	}
}
