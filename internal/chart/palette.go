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
	near := nearest(pal)
	cache := make(map[uint32]uint8, 4096)
	lastKey, lastIdx := uint32(1<<24), uint8(0) // no pixel has key 1<<24
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		dst := out.Pix[y*out.Stride : y*out.Stride+w]
		for x := range w {
			key := uint32(row[4*x])<<16 | uint32(row[4*x+1])<<8 | uint32(row[4*x+2])
			if key != lastKey {
				idx, ok := cache[key]
				if !ok {
					idx = near(key)
					cache[key] = idx
				}
				lastKey, lastIdx = key, idx
			}
			dst[x] = lastIdx
		}
	}
	return out
}

// nearest returns a search for the colour of pal closest to 0xRRGGBB in
// squared RGB distance, as color.Palette.Index does but without an
// interface call per entry, which made the search most of the conversion.
func nearest(pal color.Palette) func(key uint32) uint8 {
	rgbs := make([][3]int32, len(pal))
	for i, c := range pal {
		r, g, b, _ := c.RGBA()
		rgbs[i] = [3]int32{int32(r >> 8), int32(g >> 8), int32(b >> 8)}
	}
	return func(key uint32) uint8 {
		r, g, b := int32(key>>16), int32(key>>8&0xFF), int32(key&0xFF)
		best, bestD := 0, int32(1<<31-1)
		for i, c := range rgbs {
			dr, dg, db := c[0]-r, c[1]-g, c[2]-b
			if d := dr*dr + dg*dg + db*db; d < bestD {
				best, bestD = i, d
			}
		}
		return uint8(best)
	}
}
