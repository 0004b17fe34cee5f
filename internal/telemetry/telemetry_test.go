package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console"
)

// scrape GETs /metrics and parses it with Prometheus' own text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return families
}

// find returns the metric of the family whose labels include want.
func find(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f, ok := fams[name]
	require.True(t, ok, "no metric %s", name)
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && got[k] == v
		}
		if match {
			return m
		}
	}
	t.Fatalf("no %s with labels %v", name, want)
	return nil
}

func serve(t *testing.T, m *Metrics, store Pinger) string {
	srv := httptest.NewServer(m.Handler(store))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestMetricsAreScrapedWithTheirLabels(t *testing.T) {
	m := New()
	m.Interaction("status", "ok")
	m.Interaction("status", "ok")
	m.FirstCallback("status", 30*time.Millisecond)
	m.PanelRequest("main", "resources", "ok", 120*time.Millisecond)
	m.gateway.event(eventConnect, true)
	fams := scrape(t, serve(t, m, nil))

	assert.Equal(t, 2.0, find(t, fams, "panelbot_interactions_total", map[string]string{"command": "status", "result": "ok"}).GetCounter().GetValue())
	h := find(t, fams, "panelbot_interaction_first_callback_seconds", map[string]string{"command": "status"}).GetHistogram()
	assert.Equal(t, uint64(1), h.GetSampleCount())
	assert.InDelta(t, 0.03, h.GetSampleSum(), 1e-9)
	assert.Equal(t, 1.0, find(t, fams, "panelbot_panel_requests_total", map[string]string{"panel": "main", "op": "resources", "outcome": "ok"}).GetCounter().GetValue())
	assert.Equal(t, uint64(1), find(t, fams, "panelbot_panel_request_duration_seconds", map[string]string{"panel": "main"}).GetHistogram().GetSampleCount())
	assert.Equal(t, 1.0, find(t, fams, "panelbot_discord_gateway_connected", nil).GetGauge().GetValue())
	assert.Equal(t, 1.0, find(t, fams, "panelbot_discord_gateway_events_total", map[string]string{"event": "connect"}).GetCounter().GetValue())
	assert.Contains(t, fams, "go_goroutines", "the runtime collectors are in the registry")
}

func TestTransportsCount429s(t *testing.T) {
	scopes := []string{"user", "global", "shared", "", "odd"}
	var n atomic.Int32 // requests answered 429 so far
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := int(n.Load()); i < len(scopes) {
			w.Header().Set("X-RateLimit-Scope", scopes[i])
			n.Add(1)
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	t.Cleanup(upstream.Close)
	m := New()
	discord := &http.Client{Transport: m.DiscordTransport(nil)}
	panelClient := &http.Client{Transport: m.PanelTransport("main", nil)}
	for range scopes {
		get(t, discord, upstream.URL)
	}
	get(t, panelClient, upstream.URL) // 200 now
	n.Store(0)
	get(t, panelClient, upstream.URL)
	fams := scrape(t, serve(t, m, nil))
	for scope, want := range map[string]float64{"user": 1, "global": 1, "shared": 1, "unknown": 2} {
		assert.Equal(t, want, find(t, fams, "panelbot_discord_rate_limited_total", map[string]string{"scope": scope}).GetCounter().GetValue(), scope)
	}
	assert.Len(t, fams["panelbot_discord_rate_limited_total"].GetMetric(), 4, "scopes are a fixed set")
	assert.Equal(t, 1.0, find(t, fams, "panelbot_panel_rate_limited_total", map[string]string{"panel": "main"}).GetCounter().GetValue())
}

func get(t *testing.T, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

type pingFunc func(context.Context) error

func (f pingFunc) Ping(ctx context.Context) error { return f(ctx) }

func TestHealthz(t *testing.T) {
	m := New()
	storeErr := error(nil)
	store := pingFunc(func(context.Context) error { return storeErr })
	base := serve(t, m, store)
	code, h := healthz(t, base)
	assert.Equal(t, http.StatusServiceUnavailable, code, "not connected yet")
	assert.Equal(t, Health{Status: "unhealthy", Gateway: "disconnected", Store: "ok", Problem: "the Discord gateway is not connected"}, h)

	m.gateway.event(eventConnect, true)
	code, h = healthz(t, base)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, Health{Status: "ok", Gateway: "connected", Store: "ok"}, h)

	storeErr = errors.New("read-only file system")
	code, h = healthz(t, base)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "failing", h.Store)
	assert.Contains(t, h.Problem, "read-only file system")

	m.gateway.event(eventDisconnect, false)
	m.gateway.event(eventResumed, true)
	code, h = healthz(t, serve(t, m, nil))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "none", h.Store, "no store configured")
}

func healthz(t *testing.T, base string) (int, Health) {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var h Health
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&h))
	return resp.StatusCode, h
}

// fakeHub is a RelayStats with fixed answers.
type fakeHub struct {
	stats  map[string]console.Stats
	oldest map[string]time.Time
}

func (f fakeHub) Stats(id string) console.Stats { return f.stats[id] }

func (f fakeHub) Oldest(id string) (time.Time, bool) {
	at, ok := f.oldest[id]
	return at, ok
}

func TestRelayMetricsReadTheHub(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hub := fakeHub{
		stats:  map[string]console.Stats{"111": {Posted: 10, Folded: 5, Dropped: 2, Pending: 3, OnDisk: 7}},
		oldest: map[string]time.Time{"111": now.Add(-1500 * time.Millisecond)},
	}
	m := New()
	require.NoError(t, m.WatchRelays(hub, []string{"111", "222", "111"}, func() time.Time { return now }))
	fams := scrape(t, serve(t, m, nil))
	for outcome, want := range map[string]float64{"posted": 10, "attached": 5, "dropped": 2, "failed": 0} {
		assert.Equal(t, want, find(t, fams, "panelbot_relay_lines_total", map[string]string{"channel": "111", "outcome": outcome}).GetCounter().GetValue(), outcome)
	}
	assert.Equal(t, 3.0, find(t, fams, "panelbot_relay_queue_lines", map[string]string{"channel": "111", "state": "pending"}).GetGauge().GetValue())
	assert.Equal(t, 7.0, find(t, fams, "panelbot_relay_queue_lines", map[string]string{"channel": "111", "state": "on_disk"}).GetGauge().GetValue())
	assert.Equal(t, 1.5, find(t, fams, "panelbot_relay_lag_seconds", map[string]string{"channel": "111"}).GetGauge().GetValue())
	assert.Equal(t, 0.0, find(t, fams, "panelbot_relay_lag_seconds", map[string]string{"channel": "222"}).GetGauge().GetValue())
	assert.Len(t, fams["panelbot_relay_lag_seconds"].GetMetric(), 2, "one series per configured channel")
}

func TestListenServesAndShutsDown(t *testing.T) {
	m := New()
	srv, err := Listen("127.0.0.1:0", m.Handler(nil), discardLogger())
	require.NoError(t, err)
	code, _ := healthz(t, "http://"+srv.Addr())
	assert.Equal(t, http.StatusServiceUnavailable, code)
	require.NoError(t, srv.Shutdown(context.Background()))
	_, err = http.Get("http://" + srv.Addr() + "/healthz")
	assert.Error(t, err, "closed")

	_, err = Listen(srv.Addr()+"0000", m.Handler(nil), discardLogger())
	assert.Error(t, err)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
