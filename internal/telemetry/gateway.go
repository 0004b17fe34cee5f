package telemetry

import (
	"sync"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
)

// Gateway events, as the events counter labels them.
const (
	eventConnect    = "connect"
	eventDisconnect = "disconnect"
	eventResumed    = "resumed"
)

// gateway follows the Discord gateway's state from discordgo's events and
// exposes it as a gauge and an event counter.
type gateway struct {
	connected prometheus.Gauge
	events    *prometheus.CounterVec

	mu sync.Mutex
	up bool
}

func newGateway() *gateway {
	g := &gateway{
		connected: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "discord_gateway_connected",
			Help: "1 while the Discord gateway session is established (READY or RESUMED received), else 0."}),
		events: counter("discord_gateway_events_total",
			"Gateway connection events: connect, disconnect, resumed.", "event"),
	}
	for _, e := range []string{eventConnect, eventDisconnect, eventResumed} {
		g.events.WithLabelValues(e)
	}
	return g
}

// Describe implements prometheus.Collector.
func (g *gateway) Describe(ch chan<- *prometheus.Desc) {
	g.connected.Describe(ch)
	g.events.Describe(ch)
}

// Collect implements prometheus.Collector.
func (g *gateway) Collect(ch chan<- prometheus.Metric) {
	g.connected.Collect(ch)
	g.events.Collect(ch)
}

func (g *gateway) event(name string, up bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.up = up
	g.events.WithLabelValues(name).Inc()
	if up {
		g.connected.Set(1)
	} else {
		g.connected.Set(0)
	}
}

func (g *gateway) isUp() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.up
}

// WatchGateway follows s's gateway connection. Call it before s.Open, so
// the first connect is seen. discordgo runs each handler on its own
// goroutine, so two events could in theory be handled out of order; but
// a reconnect waits at least a second after a disconnect, so successive
// events are never that close together.
func (m *Metrics) WatchGateway(s *discordgo.Session) {
	s.AddHandler(func(*discordgo.Session, *discordgo.Connect) { m.gateway.event(eventConnect, true) })
	s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { m.gateway.event(eventDisconnect, false) })
	s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { m.gateway.event(eventResumed, true) })
}

// GatewayConnected reports whether the gateway session is established.
func (m *Metrics) GatewayConnected() bool { return m.gateway.isUp() }
