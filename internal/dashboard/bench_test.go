package dashboard

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
	"github.com/panelbot/panelbot/internal/store/sqlite"
	"github.com/panelbot/panelbot/internal/watch"
)

type benchFleet struct{ targets []panel.Target }

func (f benchFleet) Targets(context.Context) ([]panel.Target, error) { return f.targets, nil }

// BenchmarkTwoDashboards200Servers: 200 servers on two dashboards, one
// watcher round per 30-s interval (b.N rounds), with CPU figures changing
// every round so every message is due an edit. Reports panel requests per
// interval (target ≤ 200), edits per message per interval (≤ 1) and the
// process's peak RSS (≤ 60 MB).
//
//	go test -run '^$' -bench TwoDashboards200Servers -benchtime 20x ./internal/dashboard
func BenchmarkTwoDashboards200Servers(b *testing.B) {
	var requests, round atomic.Int64
	c := &paneltest.Client{FeatureSet: panel.Features(panel.FeatureResources),
		ResourcesFn: func(context.Context, string) (panel.Resources, error) {
			requests.Add(1)
			return panel.Resources{State: panel.StateRunning, Live: true, CPUPercent: float64(round.Load() % 100),
				MemoryBytes: 1 << 30, Uptime: time.Hour}, nil
		}}
	var f benchFleet
	for i := range 200 {
		f.targets = append(f.targets, panel.Target{Panel: "main", Client: c,
			Server: panel.Server{ID: fmt.Sprintf("s%03d", i), Name: fmt.Sprintf("Server %d", i)}})
	}
	w, err := watch.New(f, 30*time.Second, clock.Real{}, slog.New(slog.DiscardHandler))
	require.NoError(b, err)
	st, err := sqlite.Open(context.Background(), b.TempDir())
	require.NoError(b, err)
	defer st.Close()
	s := newFakeSession()
	u, err := New(s, st, w, 30*time.Second, slog.New(slog.DiscardHandler), time.Now)
	require.NoError(b, err)
	w.Subscribe(u)
	ctx := context.Background()
	require.NoError(b, w.Round(ctx))
	for _, ch := range []string{"10", "11"} {
		_, err := u.Create(ctx, "1", ch, nil)
		require.NoError(b, err)
	}
	requests.Store(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		round.Add(1)
		require.NoError(b, w.Round(ctx))
	}
	b.StopTimer()
	edits, msgs := 0, len(s.edits)
	for _, n := range s.edits {
		edits += n
	}
	b.ReportMetric(float64(requests.Load())/float64(b.N), "panel-requests/interval")
	b.ReportMetric(float64(edits)/float64(msgs)/float64(b.N), "edits/message/interval")
	b.ReportMetric(float64(msgs), "messages")
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// peakRSSMB reads the process's peak resident set (Linux); 0 elsewhere.
func peakRSSMB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
