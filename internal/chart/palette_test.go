package chart

import (
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPaletteHoldsEveryInkExactly(t *testing.T) {
	pal := palette()
	assert.LessOrEqual(t, len(pal), 256, "a PNG palette holds at most 256 colours")
	for _, hex := range append(inks(), cardColour) {
		want := rgb(hex)
		assert.Equal(t, color.Color(want), pal.Convert(want), "%06x", hex)
	}
}

func TestToPalettedKeepsPixels(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	colours := []color.RGBA{rgb(cardColour), rgb(cpuColour), mix(rgb(cardColour), rgb(memoryColour), 0.5),
		rgb(cardColour), rgb(textColour), {R: 0x80, G: 0x81, B: 0x82, A: 0xFF}}
	for i, c := range colours {
		img.SetRGBA(i%3, i/3, c)
	}
	pal := palette()
	got := toPaletted(img, pal)
	for i, c := range colours {
		r, g, b, _ := got.At(i%3, i/3).RGBA()
		want := pal.Convert(c).(color.RGBA)
		assert.Equal(t, [3]uint8{want.R, want.G, want.B}, [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}, "pixel %d", i)
	}
}
