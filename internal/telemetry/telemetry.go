// Package telemetry is the bot's health and metrics: one Prometheus
// registry (never the global one) holding every collector, the small
// methods the instrumented packages call through their own Observer
// interfaces, and the HTTP listener serving /healthz and /metrics.
//
// The commands, panel and console packages never import Prometheus: they
// declare the tiny interface they report through, and *Metrics satisfies
// each. Every label value comes from the configuration (panel names, relay
// channels) or a fixed set (commands, results, outcomes, scopes), so the
// number of series stays bounded whatever users do; no user, message or
// interaction id is ever a label.
//
// Wiring, in outline:
//
//	m := telemetry.New()
//	router := commands.New(commands.Config{…, Observer: m})
//	client := panel.Observe(raw, "main", m)
//	session.Client.Transport = m.DiscordTransport(next)
//	m.WatchGateway(session)
//	srv, err := telemetry.Listen(addr, m.Handler(store), log)
package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/panelbot/panelbot/internal/commands"
	"github.com/panelbot/panelbot/internal/panel"
)

// namespace prefixes every metric of the bot.
const namespace = "panelbot"

// Buckets of the latency histograms, in seconds. Discord wants a first
// callback within 3 s; panel calls time out at 10 to 15 s.
var (
	callbackBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 1.5, 2, 2.5, 3, 5}
	panelBuckets    = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15}
)

// Metrics holds the registry and the collectors the bot reports to. It is
// safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	interactions  *prometheus.CounterVec
	firstCallback *prometheus.HistogramVec
	panelRequests *prometheus.CounterVec
	panelLatency  *prometheus.HistogramVec
	panel429      *prometheus.CounterVec
	discord429    *prometheus.CounterVec
	gateway       *gateway
}

var (
	_ commands.Observer = (*Metrics)(nil)
	_ panel.Observer    = (*Metrics)(nil)
)

// New returns metrics registered in a fresh registry, with the Go runtime
// and process collectors beside the bot's own.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		interactions: counter("interactions_total",
			"Interactions answered, by command and result.", "command", "result"),
		firstCallback: histogram("interaction_first_callback_seconds",
			"Time from receiving an interaction to Discord accepting its first callback (answer, deferral or choices).",
			callbackBuckets, "command"),
		panelRequests: counter("panel_requests_total",
			"Calls that reached a panel client, by panel, operation and outcome.", "panel", "op", "outcome"),
		panelLatency: histogram("panel_request_duration_seconds",
			"Duration of panel calls, retries and rate-limit waits included.", panelBuckets, "panel", "op"),
		panel429: counter("panel_rate_limited_total",
			"HTTP 429 answers from a panel, retried ones included.", "panel"),
		discord429: counter("discord_rate_limited_total",
			"HTTP 429 answers from Discord's REST API, by X-RateLimit-Scope (user, global, shared, unknown).", "scope"),
		gateway: newGateway(),
	}
	m.reg.MustRegister(m.interactions, m.firstCallback, m.panelRequests, m.panelLatency, m.panel429, m.discord429,
		m.gateway, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the registry every collector is in, for tests and for
// collectors added later.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
}

func histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets}, labels)
}

// Interaction counts one answered interaction (commands.Observer).
func (m *Metrics) Interaction(command, result string) {
	m.interactions.WithLabelValues(command, result).Inc()
}

// FirstCallback records an interaction's time to first callback
// (commands.Observer).
func (m *Metrics) FirstCallback(command string, d time.Duration) {
	m.firstCallback.WithLabelValues(command).Observe(d.Seconds())
}

// PanelRequest counts one panel call and records its latency
// (panel.Observer).
func (m *Metrics) PanelRequest(panelName, op, outcome string, d time.Duration) {
	m.panelRequests.WithLabelValues(panelName, op, outcome).Inc()
	m.panelLatency.WithLabelValues(panelName, op).Observe(d.Seconds())
}
