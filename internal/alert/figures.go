package alert

import (
	"fmt"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/watch"
)

// figure is one resource reading in percent, with the words that show it.
type figure struct {
	percent float64
	text    string
}

// figures reads a snapshot's CPU, memory and disk in percent. A figure is
// missing when the panel gave none (no live figures, an error) or, for
// memory and disk, when the limit is not known: a percentage of nothing
// means nothing. CPU is a share of the server's CPU limit when the panel
// lists one, else the panel's own figure, where 100 is one full core.
func figures(s watch.Snapshot) map[string]figure {
	out := map[string]figure{}
	if s.Err != nil || !s.Res.Live {
		return out
	}
	r, lim := s.Res, s.Target.Server.Limits
	if lim.CPUPercent > 0 {
		p := r.CPUPercent / float64(lim.CPUPercent) * 100
		out[string(CPU)] = figure{p, fmt.Sprintf("%.0f%% of its %d%% CPU limit (%.1f%% of one core)", p, lim.CPUPercent, r.CPUPercent)}
	} else {
		out[string(CPU)] = figure{r.CPUPercent, fmt.Sprintf("%.1f%% of one core (no CPU limit known)", r.CPUPercent)}
	}
	if l := limitBytes(r.MemoryLimitBytes, lim.MemoryMB); l > 0 {
		p := float64(r.MemoryBytes) / float64(l) * 100
		out[string(Memory)] = figure{p, fmt.Sprintf("%.0f%% (%s of %s)", p, mib(r.MemoryBytes), mib(l))}
	}
	if l := limitBytes(r.DiskLimitBytes, lim.DiskMB); l > 0 {
		p := float64(r.DiskBytes) / float64(l) * 100
		out[string(Disk)] = figure{p, fmt.Sprintf("%.0f%% (%s of %s)", p, mib(r.DiskBytes), mib(l))}
	}
	return out
}

// limitBytes prefers the limit the figures came with, then the list's.
func limitBytes(live, listedMB int64) int64 {
	if live > 0 {
		return live
	}
	return listedMB << 20
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// running is the only state in which a server is "up" for crash rules.
func running(s watch.Snapshot) bool { return s.Err == nil && s.Res.State == panel.StateRunning }
