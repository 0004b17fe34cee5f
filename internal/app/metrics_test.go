package app_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/app"
	"github.com/panelbot/panelbot/internal/commands"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/fakediscord"
)

func withMetrics(s *setup) { s.env["METRICS_ADDR"] = "127.0.0.1:0" }

// The metrics move with the interactions, over real HTTP, in Prometheus'
// own text format, with labels from fixed sets only.
func TestMetricsScrapedOverHTTP(t *testing.T) {
	t.Parallel()
	b := startBot(t, withMetrics)
	require.NotEmpty(t, b.metrics)
	b.dc.RateLimitNext(fakediscord.Route("POST", "/interactions/{}/{}/callback"), 1, 50*time.Millisecond)
	b.reply(t, b.dispatch(t, b.dc.Command(viewer, "servers")))
	b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival"))))
	b.reply(t, b.dispatch(t, b.dc.Command(viewer, "power", fakediscord.Value("server", "survival"), fakediscord.Value("action", "restart"))))

	var fams map[string]*dto.MetricFamily
	require.Eventually(t, func() bool {
		fams = scrape(t, b.metrics)
		// Each is counted once its answer went out, which the test may see
		// first: wait for all three.
		return value(fams, "panelbot_interactions_total", "command", "power", "result", "denied") == 1 &&
			value(fams, "panelbot_interactions_total", "command", "servers", "result", "ok") == 1 &&
			value(fams, "panelbot_interactions_total", "command", "status", "result", "ok") == 1
	}, 10*time.Second, 10*time.Millisecond)
	for _, cmd := range []string{"servers", "status", "power"} {
		assert.Equal(t, 1.0, value(fams, "panelbot_interaction_first_callback_seconds", "command", cmd), cmd)
	}
	assert.GreaterOrEqual(t, value(fams, "panelbot_panel_requests_total", "panel", "main", "op", "servers", "outcome", "ok"), 1.0)
	// /status's, and the watcher's first round (dashboards, alerts and the
	// history share it), unless /status came within the cache's 5 s of it.
	resources := value(fams, "panelbot_panel_requests_total", "panel", "main", "op", "resources", "outcome", "ok")
	assert.True(t, resources == 1 || resources == 2, "resources requests: %v", resources)
	assert.Equal(t, 1.0, value(fams, "panelbot_discord_rate_limited_total", "scope", "user"))
	assert.Equal(t, 1.0, value(fams, "panelbot_discord_gateway_connected"))
	assert.Zero(t, value(fams, "panelbot_panel_rate_limited_total", "panel", "main"))

	for _, m := range fams["panelbot_interactions_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			allowed := commands.Results()
			if l.GetName() == "command" {
				allowed = commands.Commands()
			}
			assert.Contains(t, allowed, l.GetValue(), "label %s", l.GetName())
		}
	}
}

// The relay's lines are counted per configured channel.
func TestRelayMetrics(t *testing.T) {
	t.Parallel()
	b, uuid := startRelayBot(t, withMetrics)
	b.node.Emit(uuid, "[12:00:01] Server started", "[12:00:02] Done")
	relayed(t, b, "Done")
	var fams map[string]*dto.MetricFamily
	require.Eventually(t, func() bool {
		fams = scrape(t, b.metrics)
		return value(fams, "panelbot_relay_lines_total", "channel", relayChannel, "outcome", "posted") == 2
	}, 10*time.Second, 10*time.Millisecond)
	assert.Zero(t, value(fams, "panelbot_relay_lines_total", "channel", relayChannel, "outcome", "dropped"))
	assert.Zero(t, value(fams, "panelbot_relay_queue_lines", "channel", relayChannel, "state", "on_disk"))
	assert.Zero(t, value(fams, "panelbot_relay_lag_seconds", "channel", relayChannel))
}

// /healthz turns 503 when Discord drops the gateway and `bot health` says
// so with exit status 1; it is 0 against the healthy bot.
func TestHealthFollowsTheGateway(t *testing.T) {
	t.Parallel()
	b := startBot(t, withMetrics)
	require.Eventually(t, func() bool { return healthz(t, b.metrics) == http.StatusOK }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, runHealth(b.metrics))

	b.dc.RefuseConnections()
	require.Eventually(t, func() bool { return healthz(t, b.metrics) == http.StatusServiceUnavailable }, 10*time.Second, 10*time.Millisecond)
	err := runHealth(b.metrics)
	require.ErrorIs(t, err, app.ErrUnhealthy)
	assert.Contains(t, err.Error(), "HTTP 503")
	assert.Contains(t, err.Error(), `"gateway":"disconnected"`)
	assert.NotErrorIs(t, err, config.ErrConfig, "Docker reserves exit status 2")

	require.NoError(t, b.dc.AcceptConnections())
	require.Eventually(t, func() bool { return healthz(t, b.metrics) == http.StatusOK }, 20*time.Second, 10*time.Millisecond,
		"the bot reconnects and is healthy again")
}

func TestHealthWithoutABot(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	err = runHealth(addr)
	require.ErrorIs(t, err, app.ErrUnhealthy)
	assert.Contains(t, err.Error(), "no answer")

	err = runHealth("")
	require.ErrorIs(t, err, app.ErrUnhealthy)
	assert.Contains(t, err.Error(), "METRICS_ADDR is not set")
	assert.NotErrorIs(t, err, config.ErrConfig)

	err = runHealth("9090")
	require.ErrorIs(t, err, app.ErrUnhealthy)
	assert.Contains(t, err.Error(), "METRICS_ADDR: must be host:port")
}

func runHealth(addr string) error {
	return app.Run(context.Background(), app.Options{Args: []string{"health"}, Getenv: mapEnv(map[string]string{"METRICS_ADDR": addr})})
}

func healthz(t *testing.T, addr string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode
}

// scrape GETs /metrics and parses it with Prometheus' own text parser.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return fams
}

// value is the counter's or gauge's value, or the histogram's sample
// count, of the series whose labels include the name/value pairs; -1 when
// there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	for _, m := range fams[name].GetMetric() {
		if hasLabels(m, labels) {
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			case m.Gauge != nil:
				return m.GetGauge().GetValue()
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

func hasLabels(m *dto.Metric, pairs []string) bool {
	got := map[string]string{}
	for _, l := range m.GetLabel() {
		got[l.GetName()] = l.GetValue()
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if got[pairs[i]] != pairs[i+1] {
			return false
		}
	}
	return true
}
