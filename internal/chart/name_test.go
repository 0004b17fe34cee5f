package chart

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// titleFace is the face the title is drawn in.
func titleFace() font.Face {
	sty := textStyle(titleSize, true)
	return sty.Handler.Cache().Lookup(sty.Font, sty.Font.Size)
}

func TestCleanName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Survival SMP", "Survival SMP"},
		{"  padded\t\tname \n", "padded name"},
		{"two\r\nlines", "two lines"},
		{"\u202Eesrever\u202C", "esrever"},
		{"\u2067isolate\u2069 \u200Fmark", "isolate mark"},
		{"nul\x00bell\x07esc\x1b", "nulbellesc"},
		{"🎮🎮 Survival 👩‍👩‍👧", "? Survival ?"},
		{"Café Ünïcødé Ωμέγα Привет", "Café Ünïcødé Ωμέγα Привет"},
		{"a" + strings.Repeat("\u0301", 50) + "b", "a\u0301\u0301b"},
		{"", unnamed},
		{"\u200b\u202e\ufeff \t", unnamed},
		{"日本語", undrawable},
		{"bad\xffutf8", "bad?utf8"},
		{strings.Repeat("x", 100), strings.Repeat("x", maxNameRunes-1) + "…"},
	} {
		assert.Equal(t, c.want, cleanName(c.in, titleFace()), "%q", c.in)
	}
}

func TestTitleFits(t *testing.T) {
	sty := textStyle(titleSize, true)
	const width = vg.Length(300)
	for _, name := range []string{"s", "Survival SMP", strings.Repeat("W", maxNameRunes), strings.Repeat("i", maxNameRunes)} {
		got := title(cleanName(name, titleFace()), Week, sty, width)
		assert.LessOrEqual(t, sty.Width(got), width, "%q", got)
		assert.True(t, strings.HasSuffix(got, " — last 7 days"), "%q", got)
	}
	assert.Equal(t, "Survival SMP — last 7 days", title("Survival SMP", Week, sty, width))
	// A width too narrow for even one letter still gives a title, cut.
	assert.Equal(t, "… — last hour", title("Survival", Hour, sty, 1))
}

// checkClean holds what cleanName promises whatever it is given.
func checkClean(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) || out == "" || utf8.RuneCountInString(out) > maxNameRunes {
		t.Fatalf("cleanName(%q) = %q: invalid, empty or too long", in, out)
	}
	for _, r := range out {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) || (unicode.IsSpace(r) && r != ' ') {
			t.Fatalf("cleanName(%q) = %q keeps %U", in, out, r)
		}
	}
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"Survival SMP", "\u202Eevil", "🎮", "a\u0301\u0301\u0301", "\xff", strings.Repeat("W", 300)} {
		f.Add(s)
	}
	face := titleFace()
	f.Fuzz(func(t *testing.T, s string) {
		checkClean(t, s, cleanName(s, face))
	})
}
