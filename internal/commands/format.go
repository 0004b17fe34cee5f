package commands

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/discordtext"
	"github.com/panelbot/panelbot/internal/trunc"
)

// Text lengths are counted in characters (runes) throughout this package,
// as Discord counts them, and every cut goes through trunc.Runes. Budgets
// that add up byte lengths (servers.go) stay within the limits too, since a
// text never has more characters than bytes.

// clean and escape are discordtext's, shared with the status dashboards so
// that a server's name reads the same everywhere.
func clean(s string) string { return discordtext.Clean(s) }

func escape(s string, n int) string { return discordtext.Escape(s, n) }

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

func bytesIEC(n int64) string { return discordtext.BytesIEC(n) }

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

func percent(p float64) string { return discordtext.Percent(p) }

// cpuLimitText writes a CPU limit, where 0 means unlimited.
func cpuLimitText(p int64) string {
	if p <= 0 {
		return "unlimited"
	}
	return strconv.FormatInt(p, 10) + " %"
}

func duration(d time.Duration) string { return discordtext.Duration(d) }
