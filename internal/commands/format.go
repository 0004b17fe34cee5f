package commands

import (
	"fmt"
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
