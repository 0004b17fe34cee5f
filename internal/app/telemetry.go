package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/panelbot/panelbot/internal/commands"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/telemetry"
)

// metricsShutdown bounds how long the listener waits for a scrape in
// flight when the bot stops.
const metricsShutdown = 5 * time.Second

// newMetrics returns the metrics when METRICS_ADDR is set, else nil: every
// helper below takes the nil as "off".
func newMetrics(cfg config.Config) *telemetry.Metrics {
	if cfg.MetricsAddr == "" {
		return nil
	}
	return telemetry.New()
}

// startMetrics serves /healthz and /metrics on METRICS_ADDR. The bot keeps
// no store yet, so /healthz checks the gateway alone.
func startMetrics(opts Options, cfg config.Config, m *telemetry.Metrics, st telemetry.Pinger, log *slog.Logger) (*telemetry.Server, error) {
	if m == nil {
		return nil, nil
	}
	srv, err := telemetry.Listen(cfg.MetricsAddr, m.Handler(st), log)
	if err != nil {
		return nil, &config.Error{Var: config.EnvMetricsAddr, Problem: fmt.Sprintf("cannot listen there (%v): pick a free port or another address", err)}
	}
	log.Info("health and metrics listening", "addr", srv.Addr())
	if opts.MetricsReady != nil {
		opts.MetricsReady(srv.Addr())
	}
	return srv, nil
}

func stopMetrics(srv *telemetry.Server, log *slog.Logger) {
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), metricsShutdown)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("closing the health and metrics listener", "err", err)
	}
}

// routerObserver is m as the router's Observer; a nil *Metrics must not
// become a non-nil interface.
func routerObserver(m *telemetry.Metrics) commands.Observer {
	if m == nil {
		return nil
	}
	return m
}

// discordTransport counts Discord's 429s under the session when metrics are on.
func discordTransport(m *telemetry.Metrics, next http.RoundTripper) http.RoundTripper {
	if m == nil {
		return next
	}
	return m.DiscordTransport(next)
}

// observePanel reports each call of a panel's client when metrics are on.
func observePanel(m *telemetry.Metrics, name string, c panel.Client) panel.Client {
	if m == nil {
		return c
	}
	return panel.Observe(c, name, m)
}

// panelHTTP is the HTTP client of a panel's API when metrics are on: the
// default one, with a transport counting the panel's 429s. nil keeps each
// client's own default.
func panelHTTP(m *telemetry.Metrics, name string) *http.Client {
	if m == nil {
		return nil
	}
	// Redirects are refused, as every client does with its own default:
	// the key must not follow one to another host.
	return &http.Client{
		Transport:     m.PanelTransport(name, nil),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// watchRelays exposes the hub's books for every relayed channel.
func watchRelays(m *telemetry.Metrics, hub *console.Hub, specs []relaySpec) error {
	if m == nil {
		return nil
	}
	channels := make([]string, 0, len(specs))
	for _, s := range specs {
		channels = append(channels, s.channelID)
	}
	return m.WatchRelays(hub, channels, nil)
}
