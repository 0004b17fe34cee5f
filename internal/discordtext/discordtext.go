// Package discordtext writes outside text (server names, panel notes, user
// names) and figures for Discord messages: escaped so that nothing a panel
// or a user wrote can format, break or ping, and cut without splitting a
// character. The slash commands and the status dashboards share it, so a
// server's name reads the same everywhere.
package discordtext

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/panelbot/panelbot/internal/trunc"
)

// Clean makes outside text safe to place on one line: invalid UTF-8 and
// control or line-separator characters become spaces.
func Clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// markdownSpecial are the characters Discord's markdown gives meaning to in
// the middle of a line (emphasis, code, spoilers, quotes, masked links,
// mention syntax); a backslash before any of them shows it literally.
const markdownSpecial = "\\*_~`|>[]()<@"

// Escape shows s literally in Discord markdown after cleaning it, cut to at
// most n characters of source text (the result can be up to twice as long).
func Escape(s string, n int) string {
	s = trunc.Runes(Clean(s), n)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(markdownSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// BytesIEC writes a byte count in binary units: "512 MiB", "1.5 GiB".
func BytesIEC(n int64) string {
	if n < 0 {
		n = 0
	}
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := -1
	for v >= unit && i < len(units)-1 {
		v /= unit
		i++
	}
	return trimZero(v) + " " + units[i]
}

// trimZero prints one decimal below 10 and none above, without a trailing ".0".
func trimZero(v float64) string {
	if v >= 10 {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}
