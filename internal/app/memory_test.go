package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/app"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/store/sqlite"
)

// TestRestartRelaysOnlyWhatIsNew: the relay keeps its last lines in the
// store; after a restart the node's replay is aligned with them, so the
// lines written while the bot was down are posted and none twice.
func TestRestartRelaysOnlyWhatIsNew(t *testing.T) {
	t.Parallel()
	b, uuid := startRelayBot(t)
	for i := range 20 {
		b.node.Emit(uuid, fmt.Sprintf("before %02d", i))
	}
	relayed(t, b, "before 19")
	b.shutdown(t)
	b.node.Emit(uuid, "while down 1", "while down 2")
	b.launch(t)
	relayed(t, b, "while down 2")
	b.node.Emit(uuid, "after restart")
	relayed(t, b, "after restart")
	seen := relayedLines(b)
	for i := range 20 {
		assert.Equal(t, 1, seen[fmt.Sprintf("before %02d", i)], "before %02d", i)
	}
	for _, l := range []string{"while down 1", "while down 2", "after restart"} {
		assert.Equal(t, 1, seen[l], l)
	}
}

// TestCorruptStoreStopsTheBotAndIsKept: a file that is not the bot's
// database stops it at start with one line naming DATA_DIR; the file is
// left as it was.
func TestCorruptStoreStopsTheBotAndIsKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	junk := bytes.Repeat([]byte("not a database "), 500)
	require.NoError(t, os.WriteFile(filepath.Join(dir, sqlite.FileName), junk, 0o600))
	env := map[string]string{"DISCORD_TOKEN": botToken, "PANEL_URL": "http://127.0.0.1:1", "PANEL_API_KEY": "ptlc_" + strings.Repeat("k", 43),
		"DATA_DIR": dir}
	err := app.Run(context.Background(), app.Options{Args: []string{"run"}, Getenv: mapEnv(env)})
	require.ErrorIs(t, err, config.ErrConfig, "exit status 2")
	assert.True(t, strings.HasPrefix(err.Error(), "DATA_DIR: "), err.Error())
	assert.NotContains(t, err.Error(), "\n", "one line")
	after, rerr := os.ReadFile(filepath.Join(dir, sqlite.FileName))
	require.NoError(t, rerr)
	assert.Equal(t, junk, after, "never overwritten or reset")
}

// TestHistoryIsSampled: the watcher's rounds land in the store as the
// servers' history.
func TestHistoryIsSampled(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	var samples []store.Sample
	require.Eventually(t, func() bool {
		st, err := sqlite.Open(t.Context(), b.env["DATA_DIR"]) // beside the bot's: WAL lets both read
		require.NoError(t, err)
		defer st.Close()
		samples, err = st.FindSamples(t.Context(), "main/"+survivalID, time.Now().Add(-time.Hour), time.Now().Add(time.Minute), store.Raw)
		require.NoError(t, err)
		return len(samples) > 0
	}, 10*time.Second, 50*time.Millisecond, "the watcher's first round at start is kept")
	assert.Equal(t, "running", string(samples[0].State))
}
