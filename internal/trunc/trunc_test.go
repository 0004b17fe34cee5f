package trunc

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestRunes(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello world", 6, "hello…"},
		{"héllo wörld", 4, "hél…"},
		{"日本語のテキスト", 3, "日本…"},
		{"abc", 1, "…"},
		{"abc", 0, ""},
	} {
		assert.Equal(t, c.want, Runes(c.in, c.n), "%q cut to %d", c.in, c.n)
	}
}

func FuzzRunes(f *testing.F) {
	f.Add("héllo wörld", 4)
	f.Fuzz(func(t *testing.T, s string, n int) {
		out := Runes(s, n%300)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("cut %q into invalid UTF-8 %q", s, out)
		}
		if n%300 > 0 && utf8.RuneCountInString(out) > n%300 {
			t.Fatalf("%q is longer than %d runes", out, n%300)
		}
	})
}
