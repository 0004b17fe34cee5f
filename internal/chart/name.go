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

// Stand-ins for a name with nothing in it, and for one the font cannot draw
// any of (all emoji, or a script Liberation lacks).
const (
	unnamed    = "unnamed server"
	undrawable = "(name cannot be drawn)"
)

// maxMarks is how many combining marks one letter keeps: enough for any
// real script, too few for "Zalgo" text to climb out of the title row.
const maxMarks = 2

// cleanName makes a server name safe to draw: control and format
// characters go (a right-to-left override would reverse the rest of the
// title; a newline would start a second one), runs of spaces become one,
// and characters the font has no glyph for (emoji, most CJK) become a
// single "?" per run rather than a row of empty boxes.
func cleanName(name string, face font.Face) string {
	var b strings.Builder
	var buf sfnt.Buffer
	last, marks := ' ', 0 // ' ' so that leading spaces and "?" are dropped
	for _, r := range trunc.Runes(name, 4*maxNameRunes) {
		if r = cleanRune(r, face, &buf); r < 0 {
			continue
		}
		if marks = countMark(r, marks); marks > maxMarks || (r == ' ' || r == '?') && r == last {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	switch s := strings.TrimSpace(b.String()); s {
	case "":
		return unnamed
	case "?":
		return undrawable
	default:
		return trunc.Runes(s, maxNameRunes)
	}
}

// cleanRune maps r to what the title shows: -1 to drop it, ' ' for any
// space or line break, '?' when the font has no glyph for it.
func cleanRune(r rune, face font.Face, buf *sfnt.Buffer) rune {
	switch {
	case unicode.IsSpace(r):
		return ' '
	case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs):
		return -1
	case !hasGlyph(face, buf, r):
		return '?'
	default:
		return r
	}
}

// countMark returns how many combining marks in a row end with r, given
// how many ended with the rune before it.
func countMark(r rune, marks int) int {
	if unicode.Is(unicode.Mn, r) {
		return marks + 1
	}
	return 0
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
