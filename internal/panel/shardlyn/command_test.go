package shardlyn_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

const consolePath = "/v1/instances/i-run/console"

func running() shardsim.Option {
	return shardsim.WithInstances(shardsim.Instance{ID: "i-run", Status: "running"},
		shardsim.Instance{ID: "i-off", Status: "stopped"})
}

func TestCommandReachesTheConsoleAsOneFrame(t *testing.T) {
	for name, login := range map[string]bool{"api token": false, "password": true} {
		t.Run(name, func(t *testing.T) {
			sim, clk := setup(t, running())
			c := tokenClient(t, sim, clk)
			if login {
				c = passwordClient(t, sim, clk)
			}
			require.NoError(t, c.Command(context.Background(), "i-run", "say hello world"))
			require.NoError(t, c.Command(context.Background(), "i-run", "time set day"))
			require.Eventually(t, func() bool { return len(sim.Commands("i-run")) == 2 }, 5*time.Second, time.Millisecond)
			assert.Equal(t, []string{"say hello world", "time set day"}, sim.Commands("i-run"))
			assert.Equal(t, 2, sim.Count(http.MethodGet, consolePath), "one socket per command, never resent")
		})
	}
}

func TestCommandRenewsAnExpiredTokenOnce(t *testing.T) {
	sim, clk := setup(t, running())
	c := passwordClient(t, sim, clk)
	require.NoError(t, c.Command(context.Background(), "i-run", "say one"))
	sim.RevokeAccessTokens() // the cached token is refused at the handshake
	require.NoError(t, c.Command(context.Background(), "i-run", "say two"))
	require.Eventually(t, func() bool { return len(sim.Commands("i-run")) == 2 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, 3, sim.Count(http.MethodGet, consolePath), "the refused handshake sent nothing")
}

func TestInvalidCommandIsRefusedBeforeAnyRequest(t *testing.T) {
	sim, clk := setup(t, running())
	c := tokenClient(t, sim, clk)
	for _, cmd := range []string{"", "   ", "say a\nstop", "say \x1b[2J", string(make([]rune, panel.MaxCommandRunes+1))} {
		err := c.Command(context.Background(), "i-run", cmd)
		require.ErrorIs(t, err, panel.ErrInvalid, "%q", cmd)
		assert.NotEmpty(t, panel.UserMessage(err))
	}
	assert.Empty(t, sim.Requests(), "nothing reached Shardlyn")
}

func TestCommandFailures(t *testing.T) {
	sim, clk := setup(t, running())
	c := tokenClient(t, sim, clk)
	err := c.Command(context.Background(), "i-off", "say hi")
	require.ErrorIs(t, err, panel.ErrOffline)
	assert.Contains(t, panel.UserMessage(err), "Start it")
	err = c.Command(context.Background(), "i-gone", "say hi")
	require.ErrorIs(t, err, panel.ErrNotFound)
	sim.RevokeAPIToken()
	err = c.Command(context.Background(), "i-run", "say hi")
	require.ErrorIs(t, err, panel.ErrUnauthorized)
	assert.NotContains(t, err.Error(), sim.APIToken())
	assert.Empty(t, sim.Commands("i-run"))
}
