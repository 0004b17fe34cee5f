package app_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/panel"
)

// powerPath is the simulator's power route for a server.
func powerPath(id string) string { return "/api/client/servers/" + id + "/power" }

func TestRegistersTheCommandsInTheGuild(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	req := b.dc.WaitRequest(t, 5*time.Second, fakediscord.Route("PUT", "/applications/{}/guilds/{}/commands"))
	var cmds []struct{ Name string }
	require.NoError(t, req.Decode(&cmds))
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	assert.Equal(t, []string{"cmd", "dashboard", "help", "history", "power", "schedule", "servers", "status"}, names)
	assert.Contains(t, req.Path, guildID)
}

func TestStatusForAViewer(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	p := b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival")))
	m := b.reply(t, p)
	assert.False(t, m.Ephemeral(), "status is for the channel")
	assert.True(t, m.PingsNobody())
	require.Len(t, m.Embeds, 1)
	out := text(m)
	for _, want := range []string{"Survival", "Running", "4 GiB", survivalID} {
		assert.Contains(t, out, want)
	}
	ids := m.CustomIDs()
	assert.Len(t, ids, 5, "Start, Restart, Stop, Kill, History")
	assert.Equal(t, 1, b.sim.Count("GET", "/api/client/servers/"+survivalID+"/resources"))
}

func TestStatusBurstIsOnePanelRequest(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	var pending []*fakediscord.Pending
	for range 8 {
		pending = append(pending, b.dc.Dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", survivalID))))
	}
	for _, p := range pending {
		assert.Contains(t, text(b.reply(t, p)), "Running")
	}
	assert.Equal(t, 1, b.sim.Count("GET", "/api/client/servers/"+survivalID+"/resources"))
}

func TestRestartRefusedBelowAdmin(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	for _, who := range []fakediscord.Actor{viewer, operator, stranger} {
		p := b.dispatch(t, b.dc.Command(who, "power", fakediscord.Value("server", "survival"), fakediscord.Value("action", "restart")))
		m := b.reply(t, p)
		assert.True(t, m.Ephemeral())
		assert.Contains(t, strings.ToLower(text(m)), "admin")
	}
	assert.Zero(t, b.sim.Count("POST", powerPath(survivalID)), "a refusal never reaches the panel")
	audit := b.dc.WaitMessages(t, auditChannel, 3)
	assert.Contains(t, audit[0].Content, "restart")
	assert.True(t, audit[0].PingsNobody())
}

func TestRestartSentForAnAdmin(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	p := b.dispatch(t, b.dc.Command(admin, "power", fakediscord.Value("server", "Survival"), fakediscord.Value("action", "restart")))
	m := b.reply(t, p)
	assert.True(t, m.Ephemeral())
	assert.Contains(t, strings.ToLower(text(m)), "restart")
	requireSignal(t, b, survivalID, "restart")
	b.dc.WaitMessages(t, auditChannel, 1)
}

func TestStartAllowedForAnOperator(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	p := b.dispatch(t, b.dc.Command(operator, "power", fakediscord.Value("server", "creative"), fakediscord.Value("action", "start")))
	b.reply(t, p)
	requireSignal(t, b, creativeID, "start")
	require.Eventually(t, func() bool { return b.sim.ServerState(creativeID) == panel.StateRunning }, 5*time.Second, 5*time.Millisecond)
}

func TestStopAsksForConfirmationFirst(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	p := b.dispatch(t, b.dc.Command(admin, "power", fakediscord.Value("server", "survival"), fakediscord.Value("action", "stop")))
	prompt := b.reply(t, p)
	assert.True(t, prompt.Ephemeral())
	assert.Zero(t, b.sim.Count("POST", powerPath(survivalID)), "nothing sent before Confirm")
	confirm := ""
	for _, id := range prompt.CustomIDs() {
		if strings.HasPrefix(id, "confirm/") {
			confirm = id
		}
	}
	require.NotEmpty(t, confirm, "a Confirm button: %v", prompt.CustomIDs())
	click := b.dispatch(t, b.dc.Button(admin, prompt.ID, confirm))
	ack, typ := click.Acknowledged()
	require.True(t, ack)
	assert.Contains(t, []int{6, 7}, typ, "the prompt is updated in place")
	requireSignal(t, b, survivalID, "stop")
}

func TestRestartButtonRefusedForANonAdmin(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	status := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival"))))
	restart := buttonFor(t, status, "restart")

	for _, who := range []fakediscord.Actor{viewer, operator} {
		m := b.reply(t, b.dispatch(t, b.dc.Button(who, status.ID, restart)))
		assert.True(t, m.Ephemeral())
		assert.Contains(t, strings.ToLower(text(m)), "admin")
	}
	assert.Zero(t, b.sim.Count("POST", powerPath(survivalID)))

	m := b.reply(t, b.dispatch(t, b.dc.Button(admin, status.ID, restart)))
	assert.True(t, m.Ephemeral())
	requireSignal(t, b, survivalID, "restart")
}

func TestForgedCustomIDRefused(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	status := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival"))))
	start := buttonFor(t, status, "start")
	for _, forged := range []string{
		"power/main%2F" + creativeID + "/kill",
		"power/main%2Fnothere1/start",
		"power/main/" + survivalID + "/start",
		"power/main%2F" + survivalID + "/explode",
		"confirm/main%2F" + survivalID + "/kill/99999999999",
		strings.Repeat("x", 100),
		"",
	} {
		p := b.dc.DispatchAltered(t, b.dc.Button(admin, status.ID, start), func(pl map[string]any) {
			pl["data"].(map[string]any)["custom_id"] = forged
		})
		p.Response(t)
		m := b.reply(t, p)
		assert.True(t, m.Ephemeral(), forged)
	}
	assert.Zero(t, b.sim.Count("POST", ""), "no forged click reaches the panel")
}

func TestCommandInADMRefused(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	p := b.dc.DispatchAltered(t, b.dc.Command(admin, "power", fakediscord.Value("server", "survival"), fakediscord.Value("action", "start")),
		func(pl map[string]any) {
			member := pl["member"].(map[string]any)
			pl["user"] = member["user"]
			delete(pl, "member")
			delete(pl, "guild_id")
			pl["context"] = 1
		})
	p.Response(t)
	m := b.reply(t, p)
	assert.True(t, m.Ephemeral())
	assert.Contains(t, strings.ToLower(text(m)), "server")
	assert.Zero(t, b.sim.Count("POST", ""))
}

func TestCmdToAnOfflineServer(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	m := b.reply(t, b.dispatch(t, b.dc.Command(admin, "cmd", fakediscord.Value("server", "creative"), fakediscord.Value("command", "say hi"))))
	assert.True(t, m.Ephemeral())
	assert.Contains(t, text(m), "offline")
	assert.Contains(t, text(m), "Start it first")
	assert.Equal(t, 1, b.sim.Count("POST", "/api/client/servers/"+creativeID+"/command"), "sent once, never retried")
}

func TestCmdToARunningServer(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	m := b.reply(t, b.dispatch(t, b.dc.Command(admin, "cmd", fakediscord.Value("server", "survival"), fakediscord.Value("command", "say hi"))))
	assert.True(t, m.Ephemeral())
	reqs := b.sim.Requests()
	var body struct{ Command string }
	for _, r := range reqs {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/command") {
			require.NoError(t, json.Unmarshal(r.Body, &body))
		}
	}
	assert.Equal(t, "say hi", body.Command)
	audit := b.dc.WaitMessages(t, auditChannel, 1)
	assert.Contains(t, audit[0].Content, "say hi")
}

func TestPanelDownThenBack(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.sim.SetDown(true)
	m := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", survivalID))))
	assert.True(t, m.Ephemeral(), "errors reach only the user")
	assert.Contains(t, text(m), "Try again")

	b.sim.SetDown(false)
	m = b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", survivalID))))
	assert.Contains(t, text(m), "Running", "the bot kept serving")
}

func TestPanel500OnPowerIsClearAndNotRetried(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.sim.FailNext(powerPath(survivalID), 500, 1)
	m := b.reply(t, b.dispatch(t, b.dc.Command(admin, "power", fakediscord.Value("server", "survival"), fakediscord.Value("action", "restart"))))
	assert.True(t, m.Ephemeral())
	assert.Contains(t, text(m), "Try again")
	assert.Equal(t, 1, b.sim.Count("POST", powerPath(survivalID)))
}

func TestGatewayDropSurvived(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	before := b.dc.GatewayStats()
	b.dc.DropGateway()
	// An interaction created while the bot is away is delivered on RESUME.
	p := b.dc.Dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival")))
	b.dc.WaitGateway(t, func(g fakediscord.GatewayStats) bool { return g.Resumes > before.Resumes && g.Live })
	p.Response(t)
	assert.Contains(t, text(b.reply(t, p)), "Running")
}

func TestServersListsNamesAndLimits(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	m := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "servers")))
	out := text(m)
	for _, want := range []string{"Survival", survivalID, "Creative", creativeID, "4 GiB"} {
		assert.Contains(t, out, want)
	}
}

func TestAutocompleteServer(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	p := b.dispatch(t, b.dc.Autocomplete(viewer, "status", fakediscord.Focus("server", "surv")))
	var resp struct {
		Type int
		Data struct {
			Choices []struct{ Name, Value string }
		}
	}
	require.NoError(t, p.Response(t).Decode(&resp))
	assert.Equal(t, 8, resp.Type)
	require.Len(t, resp.Data.Choices, 1)
	assert.Contains(t, resp.Data.Choices[0].Name, "Survival")

	m := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", resp.Data.Choices[0].Value))))
	assert.Contains(t, text(m), "Running", "the chosen value resolves")
}

func requireSignal(t *testing.T, b *bot, id, signal string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, r := range b.sim.Requests() {
			if r.Method == "POST" && r.Path == powerPath(id) && strings.Contains(string(r.Body), `"`+signal+`"`) {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "the panel never got %s for %s", signal, id)
	assert.Equal(t, 1, b.sim.Count("POST", powerPath(id)), "sent exactly once")
}

func buttonFor(t *testing.T, m fakediscord.Message, signal string) string {
	t.Helper()
	for _, id := range m.CustomIDs() {
		if strings.HasSuffix(id, "/"+signal) {
			return id
		}
	}
	t.Fatalf("no %s button in %v", signal, m.CustomIDs())
	return ""
}

func TestRegistersGloballyWithoutAGuild(t *testing.T) {
	t.Parallel()
	b := startBot(t, func(s *setup) { s.env["DISCORD_GUILD_ID"] = "" })
	req := b.dc.WaitRequest(t, 5*time.Second, fakediscord.Route("PUT", "/applications/{}/commands"))
	var cmds []struct{ Name string }
	require.NoError(t, req.Decode(&cmds))
	assert.Len(t, cmds, 8)
	for _, r := range b.dc.Requests() {
		assert.NotEqual(t, "/applications/{}/guilds/{}/commands", r.Route, "nothing registered in a guild")
	}
}
