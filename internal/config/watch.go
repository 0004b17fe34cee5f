package config

import (
	"fmt"
	"strconv"
	"time"
)

// Watch is how the bot watches servers: how often its dashboards refresh
// (one poll per server per interval, shared by dashboards, alerts and the
// history), and when it alerts.
type Watch struct {
	// Interval is DASHBOARD_INTERVAL: default 30 s, at least 10 s.
	Interval time.Duration
	// AlertChannelID receives alerts; empty: no alerts.
	AlertChannelID string
	// AlertRoleID is the one role alert messages may mention; empty: none.
	AlertRoleID string
	// Limits are the thresholds a server must stay above for AlertFor
	// before a resource alert.
	Limits Thresholds
	// AlertFor is ALERT_FOR: how long a threshold (or an unreachable
	// panel) must last to alert; default 5 m.
	AlertFor time.Duration
}

// Thresholds are resource alert levels in percent of the server's limit
// (CPU: of one core, as panels report it).
type Thresholds struct {
	CPUPercent    float64
	MemoryPercent float64
	DiskPercent   float64
}

// Watch's defaults and bounds.
const (
	DefaultWatchInterval = 30 * time.Second
	MinWatchInterval     = 10 * time.Second
	DefaultAlertFor      = 5 * time.Minute
)

// watch reads the watch and alert variables.
func (l *loader) watch() Watch {
	return Watch{
		Interval:       l.duration("DASHBOARD_INTERVAL", DefaultWatchInterval, MinWatchInterval, 24*time.Hour),
		AlertChannelID: l.id("ALERT_CHANNEL_ID"),
		AlertRoleID:    l.id("ALERT_ROLE_ID"),
		Limits: Thresholds{
			CPUPercent:    l.percent("ALERT_CPU_PERCENT", 90, 10_000),
			MemoryPercent: l.percent("ALERT_MEMORY_PERCENT", 90, 100),
			DiskPercent:   l.percent("ALERT_DISK_PERCENT", 95, 100),
		},
		AlertFor: l.duration("ALERT_FOR", DefaultAlertFor, 0, 24*time.Hour),
	}
}

// duration reads a Go duration ("30s", "5m") between lo and hi.
func (l *loader) duration(name string, def, lo, hi time.Duration) time.Duration {
	v := l.get(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		l.fail(name, fmt.Sprintf("must be a duration between %s and %s such as 30s or 5m, not %s", lo, hi, quoted(v)))
		return def
	}
	return d
}

// percent reads a percentage above 0 and at most hi (CPU can pass 100:
// several cores).
func (l *loader) percent(name string, def, hi float64) float64 {
	v := l.get(name)
	if v == "" {
		return def
	}
	p, err := strconv.ParseFloat(v, 64)
	if err != nil || !(p > 0 && p <= hi) {
		l.fail(name, fmt.Sprintf("must be a percentage above 0 and at most %g, such as 90, not %s", hi, quoted(v)))
		return def
	}
	return p
}
