package discordtext

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// State colours: green running, amber in between, red offline, grey unknown.
const (
	ColourRunning = 0x2ECC71
	ColourAmber   = 0xF1A90F
	ColourOffline = 0xE74C3C
	ColourUnknown = 0x95A5A6
)

// StateColour is the embed colour of a state.
func StateColour(s panel.State) int {
	switch s {
	case panel.StateRunning:
		return ColourRunning
	case panel.StateStarting, panel.StateStopping:
		return ColourAmber
	case panel.StateOffline:
		return ColourOffline
	default:
		return ColourUnknown
	}
}

// StateText names a state after a dot of its colour, for text that cannot
// carry an embed's colour.
func StateText(s panel.State) string {
	switch s {
	case panel.StateRunning:
		return "🟢 Running"
	case panel.StateStarting:
		return "🟡 Starting"
	case panel.StateStopping:
		return "🟡 Stopping"
	case panel.StateOffline:
		return "🔴 Offline"
	default:
		return "⚪ Unknown"
	}
}

// Percent writes a CPU figure; 100 is one full core.
func Percent(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
		return "?"
	}
	if p >= 100 {
		return fmt.Sprintf("%.0f %%", p)
	}
	return fmt.Sprintf("%.1f %%", p)
}

// Duration writes an uptime with its two largest units: "3d 4h", "5m 10s".
func Duration(d time.Duration) string {
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
