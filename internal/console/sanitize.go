package console

import (
	"strings"
	"unicode/utf8"
)

// Text rules shared by the packer and the sanitiser.
const (
	// maxContent is Discord's limit on a message's content, in characters.
	// Widths here are counted in UTF-16 code units, which is never less
	// than the code-point count Discord applies, so a message that fits
	// here fits there whichever way the count is made.
	maxContent = 2000
	// fenceOpen and fenceClose frame a code block. No language tag: colours
	// are stripped, and a bare newline after the fence stops Discord from
	// taking the first console line for a language name.
	fenceOpen  = "```\n"
	fenceClose = "\n```"
	fenceWidth = len(fenceOpen) + len(fenceClose)
	// maxPiece is the widest console line a code block can hold on its own;
	// longer lines are split into pieces of at most this width.
	maxPiece = maxContent - fenceWidth
	// tabStop is the tab width; tabs become spaces because Discord renders
	// a tab in a code block at a width of its own choosing.
	tabStop = 4
	// maxNotice bounds a plain notice, so one chatty daemon error cannot
	// take a whole message.
	maxNotice = 300
	// zwsp is inserted between two adjacent backticks: with it no run of
	// three backticks can appear inside a block, so console text can never
	// close the block early, and removing it gives back the exact text.
	zwsp = "\u200b"
)

// sanitizeLine appends to dst the display lines of one console line as the
// node sent it: ANSI escape sequences and every other control character
// removed, tabs expanded to spaces, embedded line breaks honoured, invalid
// UTF-8 replaced. Lines left empty are not kept: they carry no text, and a
// code block of nothing but blank lines does not render as a block. Each
// result is a fresh string, so the queue never pins a larger buffer the
// source decoded the line from.
func sanitizeLine(dst []string, s string) []string {
	c := cleaner{out: dst}
	c.b.Grow(len(s))
	for i := 0; i < len(s); {
		i = c.step(s, i)
	}
	c.flush()
	return c.out
}

// cleaner is sanitizeLine's state: the display line being built, its
// column (for tab stops) and the lines finished so far.
type cleaner struct {
	b   strings.Builder
	col int
	out []string
}

func (c *cleaner) flush() {
	if c.b.Len() > 0 {
		c.out = append(c.out, c.b.String())
	}
	c.b, c.col = strings.Builder{}, 0
}

// step consumes what starts at s[i] and returns the index after it.
func (c *cleaner) step(s string, i int) int {
	switch ch := s[i]; {
	case ch == 0x1b:
		return skipEscape(s, i+1)
	case ch == '\n':
		c.flush()
	case ch == '\t':
		n := tabStop - c.col%tabStop
		c.b.WriteString("    "[:n])
		c.col += n
	case ch < 0x20 || ch == 0x7f:
		// CR, BEL, backspace and friends: dropped. A lone CR (progress
		// bars) keeps the text of every redraw, which loses nothing.
	case ch < utf8.RuneSelf:
		c.b.WriteByte(ch)
		c.col++
	default:
		return c.multibyte(s, i)
	}
	return i + 1
}

// multibyte handles a non-ASCII rune (or an invalid byte) at s[i].
func (c *cleaner) multibyte(s string, i int) int {
	r, size := utf8.DecodeRuneInString(s[i:])
	i += size
	switch {
	case r == 0x9b: // C1 CSI, the one-character form of ESC [
		return skipCSI(s, i)
	case r == '\u2028' || r == '\u2029':
		c.flush()
	case isInvisibleControl(r):
	default:
		c.b.WriteRune(r) // writes U+FFFD for invalid bytes
		c.col++
	}
	return i
}

// isInvisibleControl reports runes that must not reach Discord: C1 controls
// and the bidirectional overrides that can make a line display reversed.
func isInvisibleControl(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// skipEscape returns the index after the escape sequence whose ESC is just
// before i. Unterminated sequences swallow the rest of the line, which is
// what a terminal would show of them too.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// Two- or three-character forms such as ESC ( B and ESC 7.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI skips parameter and intermediate bytes and the final byte of a
// control sequence (colours are ESC [ 31 m).
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString skips an OSC/DCS-style string up to BEL or ESC \ (window
// titles and hyperlinks).
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		}
		i++
	}
	return i
}

// sanitizeNotice makes a notice safe to post as plain text: one line, no
// control characters, no backtick runs, at most maxNotice wide.
func sanitizeNotice(s string) string {
	parts := sanitizeLine(nil, s)
	text := strings.TrimSpace(strings.Join(parts, " "))
	text = breakBackticks(text)
	if width(text) > maxNotice {
		text = cutWidth(text, maxNotice-1) + "…"
	}
	return text
}

// width counts s the way the packer budgets it: UTF-16 code units.
func width(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// codeWidth is the width of s once rendered in a code block, that is with a
// zero-width space between adjacent backticks.
func codeWidth(s string) int {
	return width(s) + backtickPairs(s)
}

// backtickPairs counts the places where a backtick follows a backtick.
func backtickPairs(s string) int {
	n := 0
	for i := 1; i < len(s); i++ {
		if s[i] == '`' && s[i-1] == '`' {
			n++
		}
	}
	return n
}

// breakBackticks puts a zero-width space between adjacent backticks.
func breakBackticks(s string) string {
	if !strings.Contains(s, "``") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 3*backtickPairs(s))
	writeCode(&b, s)
	return b.String()
}

// writeCode writes s as it must appear inside a code block.
func writeCode(b *strings.Builder, s string) {
	for {
		i := strings.Index(s, "``")
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i+1])
		b.WriteString(zwsp)
		s = s[i+1:]
	}
}

// cutWidth returns the longest prefix of s at most w wide, cut between runes.
func cutWidth(s string, w int) string {
	n := 0
	for i, r := range s {
		rw := 1
		if r >= 0x10000 {
			rw = 2
		}
		if n+rw > w {
			return s[:i]
		}
		n += rw
	}
	return s
}

// splitPieces cuts a sanitised line into pieces that each fit a code block
// on their own (codeWidth ≤ maxPiece); a line longer than a message is split,
// never dropped. Pieces are cut between runes and never between two
// backticks, so each piece renders exactly as its part of the line.
func splitPieces(dst []string, s string) []string {
	for codeWidth(s) > maxPiece {
		cut := pieceCut(s, maxPiece)
		dst = append(dst, s[:cut])
		s = s[cut:]
	}
	return append(dst, s)
}

// pieceCut finds the byte index where the first piece of s ends.
func pieceCut(s string, w int) int {
	n, last := 0, 0
	for i, r := range s {
		rw := 1
		if r >= 0x10000 {
			rw = 2
		}
		if r == '`' && i > 0 && s[i-1] == '`' {
			rw++ // the zero-width space rendered before it
		}
		if n+rw > w {
			break
		}
		n += rw
		last = i + utf8.RuneLen(r)
	}
	if last == 0 { // unreachable for w ≥ 3, kept so the loop always advances
		_, size := utf8.DecodeRuneInString(s)
		last = size
	}
	return last
}

// SanitizeLines returns console lines as the relay shows them, for a .log
// attachment made elsewhere (the alerts' console tail): colour codes and
// control characters stripped, tabs expanded, embedded line breaks split,
// empty lines dropped.
func SanitizeLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		out = sanitizeLine(out, l)
	}
	return out
}
