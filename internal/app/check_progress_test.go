package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/app"
	"github.com/panelbot/panelbot/internal/fakediscord"
)

// TestCheckShowsProgressWhileAPanelIsSilent: a panel that does not answer
// is reported every few seconds instead of a check that seems to hang.
func TestCheckShowsProgressWhileAPanelIsSilent(t *testing.T) {
	t.Parallel()
	dc := fakediscord.New(t, fakediscord.WithToken(botToken))
	hang := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); silent.Close() })
	env := map[string]string{"DISCORD_TOKEN": botToken, "DISCORD_API_URL": dc.APIBase(),
		"PANEL_URL": silent.URL, "PANEL_API_KEY": "ptlc_" + strings.Repeat("s", 43), "DATA_DIR": t.TempDir()}
	var out syncBuffer
	err := app.Run(context.Background(), app.Options{Args: []string{"check"}, Getenv: mapEnv(env), Stdout: &out})
	require.ErrorIs(t, err, app.ErrCheckFailed)
	assert.Contains(t, out.String(), "panel:   still waiting for main… (5s)")
	assert.Contains(t, out.String(), "panel:   FAILED")
}
