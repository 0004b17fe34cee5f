package config

import (
	"strconv"

	"github.com/panelbot/panelbot/internal/acl"
)

// Alerts are a panel's or a server's own alert settings in the file:
//
//	alerts:
//	  channel: "112233445566778899"   # this server's (or panel's) alert channel
//	  cpu_percent: 150                # thresholds replacing ALERT_*_PERCENT
//	  memory_percent: 80
//	  disk_percent: 90
//
// A server's settings win over its panel's, which win over ALERT_*; a
// field left out inherits.
type Alerts struct {
	ChannelID string     // "" inherits
	Limits    Thresholds // zero fields inherit
	Line      int
}

// alerts reads an alerts: mapping; nil when absent.
func (d *decoder) alerts(p pair) *Alerts {
	if p.value == nil {
		return nil
	}
	m := d.mapping(p.value, "alerts:")
	if m == nil {
		return nil
	}
	d.checkKeys(m, scope{level: "alerts:", keys: []string{"channel", "cpu_percent", "memory_percent", "disk_percent"}})
	a := &Alerts{Line: p.key.Line, ChannelID: d.text(m.get("channel"))}
	if a.ChannelID != "" {
		if err := acl.ValidateID(a.ChannelID); err != nil {
			d.fail(m.get("channel").value, "alerts channel: %v", err)
		}
	}
	a.Limits = Thresholds{
		CPUPercent:    d.filePercent(m.get("cpu_percent"), 10_000),
		MemoryPercent: d.filePercent(m.get("memory_percent"), 100),
		DiskPercent:   d.filePercent(m.get("disk_percent"), 100),
	}
	return a
}

// filePercent reads a percentage above 0 and at most hi; absent is 0.
func (d *decoder) filePercent(p pair, hi float64) float64 {
	v := d.text(p)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0 && f <= hi) {
		d.fail(p.value, "%s must be a percentage above 0 and at most %g, such as 90, not %s", p.key.Value, hi, quoted(v))
		return 0
	}
	return f
}
