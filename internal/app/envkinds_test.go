package app_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/app"
	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl/pterosim"
	"github.com/panelbot/panelbot/internal/panel/serverprism/prismsim"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
	"github.com/panelbot/panelbot/internal/panel/zampto/zamptosim"
)

// TestEveryKindFromTheEnvironment sets up each panel kind with PANEL_*
// alone (no CONFIG_FILE) and runs `bot check` against its simulator: the
// panel must list its servers.
func TestEveryKindFromTheEnvironment(t *testing.T) {
	t.Parallel()
	ptero := pterosim.New(t, pterosim.WithServers(pterosim.ServerSpec{Identifier: survivalID, Name: "Survival"}))
	zam := zamptosim.New(t, zamptosim.WithServers(zamptosim.Server{ID: 104233, Name: "Lobby", State: "running"}))
	prism := prismsim.New(t, prismsim.WithServers(prismsim.Server{ID: 501, Name: "Survival", State: "running"}))
	shard := shardsim.New(t, shardsim.WithInstances(shardsim.Instance{ID: "inst-factory", Name: "Factory", Status: "running"}))
	for name, env := range map[string]map[string]string{
		"pterodactyl":    {"PANEL_KIND": "pterodactyl", "PANEL_URL": ptero.URL(), "PANEL_API_KEY": ptero.APIKey()},
		"pelican":        {"PANEL_KIND": "pelican", "PANEL_URL": ptero.URL(), "PANEL_API_KEY": ptero.APIKey()},
		"zampto":         {"PANEL_KIND": "zampto", "PANEL_URL": zam.URL(), "PANEL_API_KEY": zam.Token()},
		"serverprism":    {"PANEL_KIND": "serverprism", "PANEL_URL": prism.URL(), "PANEL_API_KEY": prism.Token()},
		"shardlyn":       {"PANEL_KIND": "shardlyn", "PANEL_URL": shard.URL(), "PANEL_API_KEY": shard.APIToken()},
		"shardlyn login": {"PANEL_KIND": "shardlyn", "PANEL_URL": shard.URL(), "PANEL_EMAIL": shard.Email(), "PANEL_PASSWORD": shard.Password()},
		"shardlyn relay": {"PANEL_KIND": "shardlyn", "PANEL_URL": shard.URL(), "PANEL_API_KEY": shard.APIToken(),
			"RELAY_CHANNEL_ID": relayChannel, "RELAY_SERVER": "factory"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dc := fakediscord.New(t, fakediscord.WithToken(botToken))
			env["DISCORD_TOKEN"], env["DISCORD_API_URL"] = botToken, dc.APIBase()
			env["DATA_DIR"] = filepath.Join(t.TempDir(), "data")
			var out bytes.Buffer
			err := app.Run(context.Background(), app.Options{Args: []string{"check"}, Getenv: mapEnv(env), Stdout: &out})
			require.NoError(t, err, out.String())
			assert.Contains(t, out.String(), "panel:   OK: main "+env["PANEL_KIND"]+", 1 servers visible")
		})
	}
}

// TestShardlynRelayFromTheEnvironment: RELAY_* mirror a Shardlyn
// instance's console as they do a Pterodactyl server's.
func TestShardlynRelayFromTheEnvironment(t *testing.T) {
	t.Parallel()
	shard := shardsim.New(t, shardsim.WithInstances(shardsim.Instance{ID: "inst-factory", Name: "Factory", Status: "running"}))
	b := startBot(t, func(s *setup) {
		s.dcOpts = append(s.dcOpts, fakediscord.WithChannel(guildID, relayChannel))
		s.env["PANEL_KIND"], s.env["PANEL_URL"], s.env["PANEL_API_KEY"] = "shardlyn", shard.URL(), shard.APIToken()
		s.env["PANEL_RATE_LIMIT"] = ""
		s.env["RELAY_CHANNEL_ID"], s.env["RELAY_SERVER"] = relayChannel, "factory"
	})
	require.Eventually(t, func() bool { return shard.Sockets("inst-factory") > 0 }, 10*time.Second, 5*time.Millisecond,
		"the relay never opened the log socket; logs:\n%s", b.logs)
	shard.Emit("inst-factory", "Factory online")
	relayed(t, b, "Factory online")
}
