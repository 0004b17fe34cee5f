package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl/pterosim"
	"github.com/panelbot/panelbot/internal/panel/serverprism/prismsim"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
	"github.com/panelbot/panelbot/internal/panel/zampto/zamptosim"
)

// fleet is one simulator of every other panel kind, next to the bot's
// Pterodactyl simulator.
type fleet struct {
	zampto *zamptosim.Sim
	prism  *prismsim.Sim
	shard  *shardsim.Sim
}

// lobbyRole may run the zampto lobby only (a per-server override).
const lobbyRole = "200000000000000077"

// startFleet runs the bot on a CONFIG_FILE declaring four panels of four
// kinds. "Survival" exists on both the Pterodactyl and the ServerPrism
// panel, so it must be written with its panel's name.
func startFleet(t *testing.T, zamptoOpts ...zamptosim.Option) (*bot, *fleet) {
	t.Helper()
	f := &fleet{
		zampto: zamptosim.New(t, append([]zamptosim.Option{zamptosim.WithServers(
			zamptosim.Server{ID: 104233, Name: "Lobby", UUID: "5d0c1a2b-0000-4000-8000-000000000001", State: "running", MemoryMB: 2048, DiskMB: 10000, CPU: 2},
		)}, zamptoOpts...)...),
		prism: prismsim.New(t, prismsim.WithServers(
			prismsim.Server{ID: 501, Name: "Survival", Product: "Minecraft 4 GB", State: "running", MemoryMB: 4096, MemoryBytes: 1 << 30, CPUAbsolute: 20},
			prismsim.Server{ID: 502, Name: "Skyblock", Product: "Minecraft 2 GB", State: "offline"},
		)),
		shard: shardsim.New(t, shardsim.WithInstances(shardsim.Instance{ID: "inst-factory", Name: "Factory", Status: "running"})),
	}
	file := filepath.Join(t.TempDir(), "bot.yaml")
	b := startBot(t, func(s *setup) {
		s.withSim = func(s *setup, sim *pterosim.Sim) {
			require.NoError(t, os.WriteFile(file, []byte(fleetYAML(f, sim.URL())), 0o600))
			s.env["MAIN_KEY"] = sim.APIKey()
		}
		s.dcOpts = append(s.dcOpts, fakediscord.WithChannel(guildID, relayChannel))
		s.env["CONFIG_FILE"] = file
		s.env["ZAMPTO_KEY"] = f.zampto.Token()
		s.env["PRISM_KEY"] = f.prism.Token()
		s.env["SHARD_TOKEN"] = f.shard.APIToken()
		s.env["PANEL_URL"], s.env["PANEL_RATE_LIMIT"] = "", ""
	})
	return b, f
}

func fleetYAML(f *fleet, pteroURL string) string {
	return fmt.Sprintf(`panels:
  - name: main
    kind: pterodactyl
    url: %s
    api_key_env: MAIN_KEY
    rate_limit: 100000
  - name: zam
    kind: zampto
    url: %s
    api_key_env: ZAMPTO_KEY
    servers:
      - id: "104233"
        alias: hub
        roles:
          operator: ["%s"]
  - name: prism
    kind: serverprism
    url: %s
    api_key_env: PRISM_KEY
  - name: shard
    kind: shardlyn
    url: %s
    token_env: SHARD_TOKEN
    servers:
      - id: inst-factory
        relay:
          channel: "%s"
`, pteroURL, f.zampto.URL(), lobbyRole, f.prism.URL(), f.shard.URL(), relayChannel)
}

func TestFleetServersListsEveryPanel(t *testing.T) {
	t.Parallel()
	b, _ := startFleet(t)
	out := text(b.reply(t, b.dispatch(t, b.dc.Command(viewer, "servers"))))
	for _, want := range []string{"Survival", "Lobby", "Skyblock", "Factory", "104233", "inst-factory"} {
		assert.Contains(t, out, want)
	}
}

func TestFleetStatusOnEveryKind(t *testing.T) {
	t.Parallel()
	b, _ := startFleet(t)
	for ref, want := range map[string]string{
		"main/Survival":  "Running",
		"prism/survival": "Running",
		"skyblock":       "Offline",
		"factory":        "Running",
		"hub":            "Lobby",
	} {
		m := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", ref))))
		assert.Contains(t, text(m), want, ref)
		assert.False(t, m.Ephemeral(), ref)
	}
}

func TestFleetAmbiguousNameAsksForThePanel(t *testing.T) {
	t.Parallel()
	b, _ := startFleet(t)
	m := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival"))))
	assert.True(t, m.Ephemeral())
	assert.Contains(t, text(m), "main/Survival")
	assert.Contains(t, text(m), "prism/Survival")
}

func TestFleetPowerOnEveryKind(t *testing.T) {
	t.Parallel()
	b, f := startFleet(t)
	for _, ref := range []string{"zam/hub", "prism/skyblock", "shard/factory", "main/survival"} {
		m := b.reply(t, b.dispatch(t, b.dc.Command(admin, "power", fakediscord.Value("server", ref), fakediscord.Value("action", "restart"))))
		assert.True(t, m.Ephemeral())
		assert.NotContains(t, strings.ToLower(text(m)), "cannot", ref)
	}
	assert.Equal(t, 1, f.zampto.Count("POST", "/restart"))
	assert.Equal(t, 1, f.prism.Count("POST", "/api/v1/client/servers/502/power"))
	assert.Equal(t, 1, f.shard.Count("POST", "/v1/instances/inst-factory/restart"))
	assert.Equal(t, 1, b.sim.Count("POST", powerPath(survivalID)))
}

func TestFleetCmdOnEveryKind(t *testing.T) {
	t.Parallel()
	b, f := startFleet(t)
	cmd := func(ref string) string {
		return text(b.reply(t, b.dispatch(t, b.dc.Command(admin, "cmd", fakediscord.Value("server", ref), fakediscord.Value("command", "say hi")))))
	}
	assert.Contains(t, cmd("prism/survival"), "say hi")
	assert.Equal(t, []string{"say hi"}, f.prism.Commands(501))
	assert.Contains(t, cmd("skyblock"), "not running", "412 from ServerPrism")
	before := len(f.zampto.Requests())
	assert.Contains(t, cmd("hub"), "zampto", "zampto has no console: said plainly")
	assert.Contains(t, cmd("factory"), "say hi", "Shardlyn takes commands through its console websocket")
	assert.Equal(t, []string{"say hi"}, f.shard.Commands("inst-factory"))
	assert.Len(t, f.zampto.Requests(), before, "nothing asked of zampto for a command it cannot take")
}

func TestFleetPerServerRolesOverride(t *testing.T) {
	t.Parallel()
	b, f := startFleet(t)
	lobbyOp := fakediscord.Actor{GuildID: guildID, ChannelID: channelID, UserID: "300000000000000077", Roles: []string{lobbyRole}}
	m := b.reply(t, b.dispatch(t, b.dc.Command(lobbyOp, "power", fakediscord.Value("server", "hub"), fakediscord.Value("action", "start"))))
	assert.NotContains(t, strings.ToLower(text(m)), "need", "the lobby's own operator role may start it")
	require.Eventually(t, func() bool { return f.zampto.Count("POST", "/start") == 1 }, 5*time.Second, 5*time.Millisecond)

	m = b.reply(t, b.dispatch(t, b.dc.Command(lobbyOp, "power", fakediscord.Value("server", "prism/skyblock"), fakediscord.Value("action", "start"))))
	assert.Contains(t, strings.ToLower(text(m)), "operator", "but not another server")
	assert.Zero(t, f.prism.Count("POST", "/api/v1/client/servers/502/power"))
}

func TestFleetShardlynConsoleRelayed(t *testing.T) {
	t.Parallel()
	b, f := startFleet(t)
	require.Eventually(t, func() bool { return f.shard.Sockets("inst-factory") > 0 }, 10*time.Second, 5*time.Millisecond,
		"the relay never opened the log socket; logs:\n%s", b.logs)
	f.shard.Emit("inst-factory", "Factory online", "@here belts running")
	m := relayed(t, b, "belts running")
	assert.True(t, m.PingsNobody())
	relayed(t, b, "Factory online")
}

// TestPelicanEndToEnd runs the single-panel setup with PANEL_KIND=pelican
// against the simulator in Pelican mode: its 256/min limit, and commands to
// an offline server that Pelican itself would drop without a word.
func TestPelicanEndToEnd(t *testing.T) {
	t.Parallel()
	b := startBot(t, func(s *setup) {
		s.env["PANEL_KIND"], s.env["PANEL_RATE_LIMIT"] = "pelican", ""
		s.simOpts = append(s.simOpts, pterosim.WithPelican())
	})
	out := text(b.reply(t, b.dispatch(t, b.dc.Command(viewer, "servers"))))
	assert.Contains(t, out, "Survival")
	assert.Contains(t, text(b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival"))))), "Running")

	b.reply(t, b.dispatch(t, b.dc.Command(admin, "power", fakediscord.Value("server", "creative"), fakediscord.Value("action", "start"))))
	requireSignal(t, b, creativeID, "start")

	m := b.reply(t, b.dispatch(t, b.dc.Command(admin, "cmd", fakediscord.Value("server", "survival"), fakediscord.Value("command", "say hi"))))
	assert.Contains(t, text(m), "say hi")
	assert.Equal(t, 1, b.sim.Count("POST", "/api/client/servers/"+survivalID+"/command"))
}

func TestPelicanCommandToAnOfflineServerIsNotSentIntoTheVoid(t *testing.T) {
	t.Parallel()
	b := startBot(t, func(s *setup) {
		s.env["PANEL_KIND"] = "pelican"
		s.simOpts = append(s.simOpts, pterosim.WithPelican())
	})
	m := b.reply(t, b.dispatch(t, b.dc.Command(admin, "cmd", fakediscord.Value("server", "creative"), fakediscord.Value("command", "say hi"))))
	assert.Contains(t, text(m), "offline")
	assert.Zero(t, b.sim.Count("POST", "/api/client/servers/"+creativeID+"/command"))
}
