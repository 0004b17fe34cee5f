package commands

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/panelbot/panelbot/internal/trunc"
)

// Text lengths are counted in characters (runes) throughout this package,
// as Discord counts them, and every cut goes through trunc.Runes. Budgets
// that add up byte lengths (servers.go) stay within the limits too, since a
// text never has more characters than bytes.

// clean makes outside text (server names, user names) safe to place on one
// line: invalid UTF-8 and control or line-separator characters become spaces.
func clean(s string) string {
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

// escape shows s literally in Discord markdown after cleaning it, cut to at
// most n characters of source text (the result can be up to twice as long).
func escape(s string, n int) string {
	s = trunc.Runes(clean(s), n)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(markdownSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// codeSpan shows outside text (a console command, an identifier) in an inline
// code span that nothing in the text can break: backticks become the look-alike
// U+02CB, control characters become spaces, and the text is cut to n
// characters.
func codeSpan(s string, n int) string {
	s = strings.ReplaceAll(clean(s), "`", "\u02cb")
	if strings.TrimSpace(s) == "" {
		return "(empty)"
	}
	return "`" + trunc.Runes(s, n) + "`"
}

// bytesIEC writes a byte count in binary units: "512 MiB", "1.5 GiB".
func bytesIEC(n int64) string {
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

// megabytes converts a panel's MB figure (which panels mean as MiB) to bytes,
// saturating rather than overflowing on absurd values.
func megabytes(mb int64) int64 {
	const mib = 1 << 20
	if mb <= 0 {
		return 0
	}
	if mb > math.MaxInt64/mib {
		return math.MaxInt64
	}
	return mb * mib
}

// limitText writes a limit, where 0 means unlimited.
func limitText(bytes int64) string {
	if bytes <= 0 {
		return "unlimited"
	}
	return bytesIEC(bytes)
}

// percent writes a CPU figure; 100 is one full core.
func percent(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
		return "?"
	}
	if p >= 100 {
		return fmt.Sprintf("%.0f %%", p)
	}
	return fmt.Sprintf("%.1f %%", p)
}

// cpuLimitText writes a CPU limit, where 0 means unlimited.
func cpuLimitText(p int64) string {
	if p <= 0 {
		return "unlimited"
	}
	return strconv.FormatInt(p, 10) + " %"
}

// duration writes an uptime with its two largest units: "3d 4h", "5m 10s".
func duration(d time.Duration) string {
	if d < time.Second {
		return "0s"
	}
	parts := []struct {
		n    int64
		unit string
	}{
		{int64(d / (24 * time.Hour)), "d"},
		{int64(d/time.Hour) % 24, "h"},
		{int64(d/time.Minute) % 60, "m"},
		{int64(d/time.Second) % 60, "s"},
	}
	var out []string
	for _, p := range parts {
		if p.n == 0 && len(out) == 0 {
			continue
		}
		out = append(out, strconv.FormatInt(p.n, 10)+p.unit)
		if len(out) == 2 {
			break
		}
	}
	return strings.Join(out, " ")
}
