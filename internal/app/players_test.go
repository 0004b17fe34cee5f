package app_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl/pterosim"
	"github.com/panelbot/panelbot/internal/panel/zampto/zamptosim"
	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/players/playerstest"
)

// gameServer is a running sim server whose default allocation is address.
func gameServer(t *testing.T, id, name, address string) pterosim.ServerSpec {
	host, port, err := net.SplitHostPort(address)
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	return pterosim.ServerSpec{Identifier: id, Name: name, State: panel.StateRunning,
		Allocations: []pterosim.Allocation{{IP: "192.0.2.1", Port: 1}, {IP: "192.0.2.1", IPAlias: host, Port: p, Default: true}}}
}

// /status shows what the game at the panel's default allocation says, and
// "unknown" when it is silent.
func TestStatusShowsPlayers(t *testing.T) {
	t.Parallel()
	mc := playerstest.Minecraft(t, players.Count{Online: 2, Max: 20, Names: []string{"alice", "bob"}})
	src := playerstest.A2S(t, players.Count{Online: 5, Max: 32, Names: []string{"carol"}})
	silent := playerstest.Silent(t)
	b := startBot(t, func(s *setup) {
		s.simOpts = append(s.simOpts, pterosim.WithServers(
			gameServer(t, "ac0c0001", "Minecraft", mc),
			gameServer(t, "5ec50002", "Source", src),
			gameServer(t, "5d1e0003", "Silent", silent),
		))
	})
	for id, want := range map[string]string{
		"ac0c0001": "Players: 2/20: alice, bob",
		"5ec50002": "Players: 5/32: carol",
		"5d1e0003": "Players: unknown",
	} {
		m := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", id))))
		assert.Contains(t, text(m), want, id)
		assert.Contains(t, text(m), "Running", id)
	}
}

// A panel that gives no address (zampto) gets one from the file's query:.
func TestStatusPlayersFromConfigQuery(t *testing.T) {
	t.Parallel()
	src := playerstest.A2S(t, players.Count{Online: 7, Max: 10, Names: []string{"dave"}})
	zs := zamptosim.New(t, zamptosim.WithServers(
		zamptosim.Server{ID: 7001, Name: "Arena", UUID: "5d0c1a2b-0000-4000-8000-000000000001", State: "running"},
		zamptosim.Server{ID: 7002, Name: "Lobby", UUID: "5d0c1a2b-0000-4000-8000-000000000002", State: "running"},
	))
	file := filepath.Join(t.TempDir(), "bot.yaml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(`panels:
  - name: zam
    kind: zampto
    url: %s
    api_key_env: ZAMPTO_KEY
    servers:
      - id: "7001"
        query: {protocol: a2s, address: "%s"}
`, zs.URL(), src)), 0o600))
	b := startBot(t, func(s *setup) {
		s.env["CONFIG_FILE"], s.env["ZAMPTO_KEY"] = file, zs.Token()
		s.env["PANEL_URL"], s.env["PANEL_API_KEY"], s.env["PANEL_RATE_LIMIT"] = "", "", ""
	})
	arena := text(b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "zam/7001")))))
	assert.Contains(t, arena, "Players: 7/10: dave")
	lobby := text(b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "zam/7002")))))
	assert.NotContains(t, lobby, "Players", "no address, no field")
}
