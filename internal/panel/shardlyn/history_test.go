package shardlyn_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

func TestLogHistory(t *testing.T) {
	sim, clk := setup(t, running())
	c := passwordClient(t, sim, clk)
	lines, err := c.LogHistory(context.Background(), "i-run")
	require.NoError(t, err)
	assert.Empty(t, lines)
	sim.Emit("i-run", "one", "two")
	clk.Advance(shardsim.AccessTokenTTL) // the history renews the token like any call
	lines, err = c.LogHistory(context.Background(), "i-run")
	require.NoError(t, err)
	assert.Equal(t, []string{"one", "two"}, lines)
	assert.Equal(t, 2, sim.Count(http.MethodGet, "/v1/instances/i-run/logs/history"))

	_, err = c.LogHistory(context.Background(), "i-gone")
	require.ErrorIs(t, err, panel.ErrNotFound)
	sim.FailNext(http.StatusForbidden, "insufficient permissions")
	_, err = c.LogHistory(context.Background(), "i-run")
	require.ErrorIs(t, err, panel.ErrForbidden)
}
