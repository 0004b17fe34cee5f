package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/panelbot/panelbot/internal/console"
)

// RelayStats is what the relay metrics read; *console.Hub satisfies it.
type RelayStats interface {
	Stats(channelID string) console.Stats
	Oldest(channelID string) (time.Time, bool)
}

// relayCollector reads the hub's counters at each scrape, so the relay
// keeps its own books and pays nothing between scrapes.
type relayCollector struct {
	hub      RelayStats
	channels []string
	now      func() time.Time

	lines, queue, lag *prometheus.Desc
}

// WatchRelays exposes the relay counters of the configured channels:
// their ids are the only label, so the series are bounded by the
// configuration. now is the clock the hub stamps lines with (nil:
// time.Now).
func (m *Metrics) WatchRelays(hub RelayStats, channels []string, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "relay", name), help, labels, nil)
	}
	return m.reg.Register(&relayCollector{
		hub: hub, channels: dedupe(channels), now: now,
		lines: desc("lines_total", "Console lines by what became of them: posted in code blocks, attached as .log files, "+
			"dropped, unconfirmed (may or may not be posted), failed (Discord refused).", "channel", "outcome"),
		queue: desc("queue_lines", "Console lines not yet posted: pending (in memory, or in a message in flight) "+
			"or on_disk (spilled, waiting).", "channel", "state"),
		lag: desc("lag_seconds", "Age of the oldest console line still queued; 0 when none is.", "channel"),
	})
}

// Describe implements prometheus.Collector.
func (c *relayCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lines
	ch <- c.queue
	ch <- c.lag
}

// Collect implements prometheus.Collector.
func (c *relayCollector) Collect(ch chan<- prometheus.Metric) {
	for _, id := range c.channels {
		st := c.hub.Stats(id)
		for outcome, n := range map[string]int{"posted": st.Posted, "attached": st.Folded, "dropped": st.Dropped,
			"unconfirmed": st.Unconfirmed, "failed": st.Failed} {
			ch <- prometheus.MustNewConstMetric(c.lines, prometheus.CounterValue, float64(n), id, outcome)
		}
		ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(st.Pending), id, "pending")
		ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(st.OnDisk), id, "on_disk")
		lag := 0.0
		if at, ok := c.hub.Oldest(id); ok {
			lag = max(c.now().Sub(at).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, lag, id)
	}
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
