package chart

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"

	"github.com/panelbot/panelbot/internal/trunc"
)

// maxNameRunes caps a server name before it is measured: no title is wider
// than the chart, and measuring a megabyte-long name would be slow.
const maxNameRunes = 64

// unnamed stands in for a name with nothing printable in it.
const unnamed = "unnamed server"

// cleanName makes a server name safe to draw: control and format
// characters go (a right-to-left override would reverse the rest of the
// title; a newline would start a second one), runs of spaces become one,
// and characters the font has no glyph for (emoji, most CJK) become a
// single "?" per run rather than a row of empty boxes.
func cleanName(name string, face font.Face) string {
	var b strings.Builder
	var buf sfnt.Buffer
	last := ' ' // so that leading spaces and "?" are dropped
	for _, r := range trunc.Runes(name, 4*maxNameRunes) {
		switch {
		case unicode.IsSpace(r):
			r = ' '
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs):
			continue
		case !hasGlyph(face, &buf, r):
			r = '?'
		}
		if (r == ' ' || r == '?') && r == last {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	s := strings.TrimSpace(b.String())
	if s == "" || s == "?" {
		return unnamed
	}
	return trunc.Runes(s, maxNameRunes)
}

// hasGlyph reports whether face can draw r.
func hasGlyph(face font.Face, buf *sfnt.Buffer, r rune) bool {
	i, err := face.Face.GlyphIndex(buf, r)
	return err == nil && i != 0
}

// title is the chart's title for a name already cleaned, cut (with "…")
// until the whole title fits in width. The cut is searched for by
// halving, since every try measures the text.
func title(name string, r Range, sty text.Style, width vg.Length) string {
	build := func(n int) string { return trunc.Runes(name, n) + " — " + r.Phrase() }
	lo, hi := 1, utf8.RuneCountInString(name)
	if sty.Width(build(hi)) <= width {
		return build(hi)
	}
	for lo < hi-1 { // invariant: build(lo) fits or lo is 1, build(hi) does not
		mid := (lo + hi) / 2
		if sty.Width(build(mid)) <= width {
			lo = mid
		} else {
			hi = mid
		}
	}
	return build(lo)
}
