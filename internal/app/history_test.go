package app_test

import (
	"bytes"
	"image/png"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/chart"
	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/store/sqlite"
)

// TestHistoryChartAndUptime: once the watcher's first round (at start) is
// in the store, /history answers with a PNG chart and /status with the
// uptime-history line and a History button that answers with the chart too.
func TestHistoryChartAndUptime(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	require.Eventually(t, func() bool {
		st, err := sqlite.Open(t.Context(), b.env["DATA_DIR"]) // beside the bot's: WAL lets both read
		require.NoError(t, err)
		defer st.Close()
		samples, err := st.FindSamples(t.Context(), "main/"+survivalID, time.Now().Add(-time.Hour), time.Now().Add(time.Minute), store.Raw)
		require.NoError(t, err)
		return len(samples) > 0
	}, 10*time.Second, 50*time.Millisecond, "the watcher's first round at start is kept")

	m := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "history", fakediscord.Value("server", "survival"), fakediscord.Value("range", "1h"))))
	assert.Contains(t, m.Content, "CPU and memory, last hour")
	assert.False(t, m.Ephemeral())
	assertChart(t, m, "history-survival-1h.png")

	st := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival"))))
	assert.Contains(t, text(st), "Uptime history: 24 h: 100 % running")
	require.Contains(t, st.CustomIDs(), "history/main%2F"+survivalID+"/24h")

	click := b.reply(t, b.dispatch(t, b.dc.Button(viewer, st.ID, "history/main%2F"+survivalID+"/24h")))
	assert.True(t, click.Ephemeral())
	assertChart(t, click, "history-survival-24h.png")

	refused := b.reply(t, b.dispatch(t, b.dc.Button(stranger, st.ID, "history/main%2F"+survivalID+"/24h")))
	assert.True(t, refused.Ephemeral())
	assert.Contains(t, refused.Content, "viewer")
	assert.Empty(t, refused.Files)
}

// assertChart checks m carries one PNG attachment of the chart's size.
func assertChart(t *testing.T, m fakediscord.Message, name string) {
	t.Helper()
	require.Len(t, m.Files, 1)
	f := m.Files[0]
	assert.Equal(t, name, f.Name)
	img, err := png.Decode(bytes.NewReader(f.Data))
	require.NoError(t, err)
	assert.Equal(t, chart.Width, img.Bounds().Dx())
	assert.Equal(t, chart.Height, img.Bounds().Dy())
}
