package chart

import (
	"image/color"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// dpi scales the layout, which is written in points, to the image: at 144
// dpi the 500×250-point chart fills Width×Height pixels with text twice the
// pixel size it would have at 72. Discord shows a 1000-pixel image at about
// half size in the channel, and the text must still be legible there.
const dpi = 144

// The colours, as 0xRRGGBB.
//
// Discord puts the image as it is on a dark (#313338) or a light (#FFFFFF)
// background, so a transparent chart would lose its text on one theme or
// its lines on the other. The chart is therefore an opaque light-grey card
// with near-black text: it reads as a card on the dark theme and, with its
// darker border, is still set off from the white of the light theme.
// The series colours are Okabe–Ito blue and vermillion, which stay apart
// for the common colour-vision deficiencies and keep their contrast on the
// card; the limit is a dark dashed line so it is never taken for a series.
const (
	cardColour    = 0xF2F3F5
	borderColour  = 0xB5BAC1
	textColour    = 0x1E1F22
	mutedColour   = 0x4E5058
	gridColour    = 0xD9DCE1
	cpuColour     = 0x0072B2
	memoryColour  = 0xD55E00
	limitColour   = 0x3A3C42
	offlineColour = 0xD5D8DE
)

// rgb turns 0xRRGGBB into an opaque colour.
func rgb(hex uint32) color.RGBA {
	return color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xFF}
}

// The text sizes in points; at dpi 144 a point is two pixels.
const (
	titleSize  = 13
	labelSize  = 9
	tickSize   = 8
	legendSize = 8.5
	noteSize   = 12
)

// sans is the typeface for all text: Liberation Sans, which gonum compiles
// in (go-fonts/liberation), so no font file is read at run time. Sans reads
// better than gonum's default serif at small sizes.
func sans(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = stdfont.WeightBold
	}
	return f
}

// textStyle is dark text in the chart's font, anchored at its left and
// vertical centre unless the caller says otherwise.
func textStyle(size vg.Length, bold bool) text.Style {
	return text.Style{
		Color:   rgb(textColour),
		Font:    sans(size, bold),
		XAlign:  draw.XLeft,
		YAlign:  draw.YCenter,
		Handler: plot.DefaultTextHandler,
	}
}

// lineStyle is a solid line of the given colour.
func lineStyle(hex uint32, width vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: rgb(hex), Width: width}
}

// styleAxis gives an axis the chart's font, colours and sizes.
func styleAxis(a *plot.Axis) {
	a.Label.TextStyle.Font = sans(labelSize, false)
	a.Label.TextStyle.Color = rgb(textColour)
	a.Label.Padding = vg.Points(3)
	a.Tick.Label.Font = sans(tickSize, false)
	a.Tick.Label.Color = rgb(mutedColour)
	a.Tick.LineStyle = lineStyle(mutedColour, vg.Points(0.5))
	a.Tick.Length = vg.Points(3)
	a.LineStyle = lineStyle(mutedColour, vg.Points(0.5))
	a.Padding = vg.Points(2)
}

// limitStyle is the memory limit's line: dashed, so that it reads as a
// ceiling and not as a third series.
func limitStyle() draw.LineStyle {
	s := lineStyle(limitColour, vg.Points(0.9))
	s.Dashes = []vg.Length{vg.Points(4), vg.Points(2.5)}
	return s
}
