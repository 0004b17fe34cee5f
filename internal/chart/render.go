package chart

import (
	"bytes"
	"image"
	stddraw "image/draw"
	"image/png"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Layout, in points (two pixels each at dpi 144).
const (
	margin      = vg.Length(10) // card edge to content
	titleHeight = vg.Length(20) // the title row
	legendRow   = vg.Length(14) // the legend row under it
	panelGap    = vg.Length(6)  // between the two panels
	borderWidth = vg.Length(1)  // the card's outline
	noSamples   = "no samples yet"
)

// paint draws the whole chart and returns the image.
func paint(c Chart, s series, start, end time.Time) *image.RGBA {
	cv := vgimg.NewWith(
		vgimg.UseWH(Width*72/dpi, Height*72/dpi),
		vgimg.UseDPI(dpi),
		vgimg.UseBackgroundColor(rgb(cardColour)),
	)
	dc := draw.New(cv)
	dc.SetLineStyle(lineStyle(borderColour, borderWidth))
	dc.Stroke(rect(dc.Min.X+borderWidth/2, dc.Min.Y+borderWidth/2, dc.Max.X-borderWidth/2, dc.Max.Y-borderWidth/2))

	body := draw.Crop(dc, margin, -margin, margin, -margin)
	head, body := cut(body, titleHeight)
	drawTitle(head, c.Name, c.Range)
	if s.points == 0 {
		drawNote(body, noSamples)
		return rgba(cv.Image())
	}
	leg, body := cut(body, legendRow)
	drawLegend(leg, legendEntries(s))
	cpu, mem := panels(s, c.Range, start, end)
	tiles := plot.Align([][]*plot.Plot{{cpu}, {mem}}, draw.Tiles{Rows: 2, Cols: 1, PadY: panelGap}, body)
	cpu.Draw(tiles[0][0])
	mem.Draw(tiles[1][0])
	return rgba(cv.Image())
}

// rgba returns img as an *image.RGBA, which is what vgimg draws on today;
// the copy is only there in case a later vgimg draws on something else.
func rgba(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok {
		return m
	}
	m := image.NewRGBA(img.Bounds())
	stddraw.Draw(m, m.Bounds(), img, img.Bounds().Min, stddraw.Src)
	return m
}

// cut splits a row of height h off the top of c.
func cut(c draw.Canvas, h vg.Length) (top, rest draw.Canvas) {
	top, rest = c, c
	top.Min.Y = c.Max.Y - h
	rest.Max.Y = c.Max.Y - h
	return top, rest
}

// drawTitle writes "<name> — last 24 hours" on the left of the row.
func drawTitle(c draw.Canvas, name string, r Range) {
	sty := textStyle(titleSize, true)
	face := sty.Handler.Cache().Lookup(sty.Font, sty.Font.Size)
	t := title(cleanName(name, face), r, sty, c.Size().X)
	c.FillText(sty, vg.Point{X: c.Min.X, Y: (c.Min.Y + c.Max.Y) / 2}, t)
}

// drawNote writes a message in the middle of c, for a chart with nothing
// to plot.
func drawNote(c draw.Canvas, msg string) {
	sty := textStyle(noteSize, false)
	sty.Color = rgb(mutedColour)
	sty.XAlign = draw.XCenter
	c.FillText(sty, c.Center(), msg)
}

// encode writes img as PNG. BestSpeed: a chart of flat colours and lines
// compresses well even so, and higher levels cost more time than the few
// kilobytes they save are worth.
func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
