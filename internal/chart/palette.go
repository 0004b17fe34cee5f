package chart

import (
	"image"
	"image/color"
)

// blendLevels is how many shades between the card and each ink the palette
// holds: 28 steps of anti-aliasing are more than the eye tells apart at
// the edge of a 2-pixel line or a letter.
const blendLevels = 28

// inks are the colours drawn on the card.
func inks() []uint32 {
	return []uint32{textColour, mutedColour, gridColour, cpuColour, memoryColour,
		limitColour, offlineColour, borderColour}
}

// palette is the card, every ink, and blendLevels-1 shades between the card
// and each ink: what anti-aliasing on the card produces, 225 colours.
func palette() color.Palette {
	card := rgb(cardColour)
	pal := color.Palette{card}
	for _, hex := range inks() {
		ink := rgb(hex)
		for k := 1; k <= blendLevels; k++ {
			pal = append(pal, mix(card, ink, float64(k)/blendLevels))
		}
	}
	return pal
}

// mix is a + (b-a)·f, channel by channel.
func mix(a, b color.RGBA, f float64) color.RGBA {
	ch := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*f + 0.5) }
	return color.RGBA{R: ch(a.R, b.R), G: ch(a.G, b.G), B: ch(a.B, b.B), A: 0xFF}
}

// toPaletted maps every pixel of the opaque img to its nearest colour in
// pal. A chart is mostly runs of one colour and has a couple of thousand
// distinct ones, so the previous pixel and a cache answer almost every
// look-up; only new colours pay for the search.
func toPaletted(img *image.RGBA, pal color.Palette) *image.Paletted {
	out := image.NewPaletted(img.Bounds(), pal)
	cache := make(map[uint32]uint8, 4096)
	lastKey, lastIdx := uint32(1<<24), uint8(0) // no pixel has key 1<<24
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		dst := out.Pix[y*out.Stride : y*out.Stride+w]
		for x := range w {
			px := row[4*x : 4*x+3 : 4*x+3]
			key := uint32(px[0])<<16 | uint32(px[1])<<8 | uint32(px[2])
			if key != lastKey {
				idx, ok := cache[key]
				if !ok {
					idx = uint8(pal.Index(color.RGBA{R: px[0], G: px[1], B: px[2], A: 0xFF}))
					cache[key] = idx
				}
				lastKey, lastIdx = key, idx
			}
			dst[x] = lastIdx
		}
	}
	return out
}
