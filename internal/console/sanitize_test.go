package console

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSanitizeLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "Done (3.2s)! For help, type \"help\"", []string{"Done (3.2s)! For help, type \"help\""}},
		{"colours", "\x1b[33;1m[WARN]\x1b[0m low memory", []string{"[WARN] low memory"}},
		{"256 colours and reset", "\x1b[38;5;208mo\x1b[39;49mk\x1b[m", []string{"ok"}},
		{"osc title with BEL", "\x1b]0;Minecraft\x07ready", []string{"ready"}},
		{"osc link with ST", "\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\", []string{"link"}},
		{"charset switch", "\x1b(Bplain", []string{"plain"}},
		{"C1 CSI", "\u009b31mred", []string{"red"}},
		{"C1 controls", "a\u0085b\u009fc", []string{"abc"}},
		{"tab to spaces", "\tat Foo.bar(Foo.java:1)", []string{"    at Foo.bar(Foo.java:1)"}},
		{"tab stop", "ab\tc", []string{"ab  c"}},
		{"carriage returns", "50%\r60%\r\n", []string{"50%60%"}},
		{"bell backspace del", "a\x07b\x08c\x7fd\x00e", []string{"abcde"}},
		{"embedded newline", "one\ntwo", []string{"one", "two"}},
		{"line separator", "one\u2028two", []string{"one", "two"}},
		{"bidi override", "abc\u202edef\u2066", []string{"abcdef"}},
		{"invalid utf8", "a\xffb", []string{"a\uFFFDb"}},
		{"only escape codes", "\x1b[0m", nil},
		{"empty", "", nil},
		{"blank lines dropped", "a\n\n\nb", []string{"a", "b"}},
		{"unterminated escape", "ok\x1b[", []string{"ok"}},
		{"mentions kept verbatim", "@everyone <@&123> <@456>", []string{"@everyone <@&123> <@456>"}},
		{"emoji kept", "⛏ 💎 done", []string{"⛏ 💎 done"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, sanitizeLine(nil, tt.in))
		})
	}
}

func TestBreakBackticks(t *testing.T) {
	assert.Equal(t, "a`b", breakBackticks("a`b"))
	assert.Equal(t, "`"+zwsp+"`"+zwsp+"`js", breakBackticks("```js"))
	out := breakBackticks("x``````y")
	assert.NotContains(t, out, "``")
	assert.Equal(t, "x``````y", strings.ReplaceAll(out, zwsp, ""))
	assert.Equal(t, width(out), codeWidth("x``````y"))
}

func TestWidthCountsUTF16(t *testing.T) {
	assert.Equal(t, 3, width("abc"))
	assert.Equal(t, 2, width("💎"), "astral runes count twice, never under Discord's count")
	assert.Equal(t, 1, width("é"))
}

func TestSplitPiecesLongLine(t *testing.T) {
	long := strings.Repeat("0123456789", 500) // 5000 characters
	pieces := splitPieces(nil, long)
	require.Len(t, pieces, 3)
	for _, p := range pieces {
		assert.LessOrEqual(t, codeWidth(p), maxPiece)
	}
	assert.Equal(t, long, strings.Join(pieces, ""))

	ticks := strings.Repeat("`", 3000)
	pieces = splitPieces(nil, ticks)
	for _, p := range pieces {
		assert.LessOrEqual(t, codeWidth(p), maxPiece)
	}
	assert.Equal(t, ticks, strings.Join(pieces, ""))

	emoji := strings.Repeat("💎", 1500) // 3000 UTF-16 units, 1500 runes
	pieces = splitPieces(nil, emoji)
	assert.Len(t, pieces, 2)
	for _, p := range pieces {
		assert.True(t, utf8.ValidString(p), "cut inside a rune")
	}
}

func TestSanitizeNotice(t *testing.T) {
	assert.Equal(t, "a b", sanitizeNotice("a\nb"))
	assert.Equal(t, "x `"+zwsp+"`"+zwsp+"` y", sanitizeNotice("x ``` y"))
	long := sanitizeNotice(strings.Repeat("é", 1000))
	assert.Equal(t, maxNotice, width(long))
	assert.True(t, strings.HasSuffix(long, "…"))
}

// FuzzSanitize checks the sanitiser's promises on any input: no control
// character survives, output is valid UTF-8 with no line breaks, nothing
// printable is lost, and splitting into pieces loses nothing either.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[31mred\x1b[0m", "\x1b]0;t\x07x", "a\tb\r\nc", "```js", "\u009b1m", "\xff\xfe", "\x1b", "\x1b[", "💎\u202e", strings.Repeat("`", 2100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := sanitizeLine(nil, in)
		for _, l := range out {
			require.NotEmpty(t, l)
			require.True(t, utf8.ValidString(l))
			for _, r := range l {
				require.False(t, unicode.IsControl(r) || isInvisibleControl(r), "control %U left in %q", r, l)
				require.NotContains(t, "\u2028\u2029", string(r))
			}
			pieces := splitPieces(nil, l)
			require.Equal(t, l, strings.Join(pieces, ""))
			for _, p := range pieces {
				require.LessOrEqual(t, codeWidth(p), maxPiece)
				require.NotEmpty(t, p)
			}
		}
		// Printable ASCII outside escape sequences is kept in order.
		if !strings.ContainsAny(in, "\x1b\u009b") {
			var want strings.Builder
			for _, r := range strings.ToValidUTF8(in, "\uFFFD") {
				if r >= 0x21 && r < 0x7f {
					want.WriteRune(r)
				}
			}
			got := strings.Map(func(r rune) rune {
				if r >= 0x21 && r < 0x7f {
					return r
				}
				return -1
			}, strings.Join(out, ""))
			require.Equal(t, want.String(), got)
		}
	})
}
