package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/panel"
)

const (
	alertChannel = "100000000000000007"
	alertRole    = "200000000000000007"
)

// withAlerts sends alerts to alertChannel, mentioning alertRole.
func withAlerts(forDuration string) func(*setup) {
	return func(s *setup) {
		s.dcOpts = append(s.dcOpts, fakediscord.WithChannel(guildID, alertChannel), fakediscord.WithRoleMentionAllowed(alertRole))
		s.env["ALERT_CHANNEL_ID"], s.env["ALERT_ROLE_ID"], s.env["ALERT_FOR"] = alertChannel, alertRole, forDuration
	}
}

// watchRound runs one round of the bot's watcher, as DASHBOARD_INTERVAL would.
func (b *bot) watchRound(t *testing.T) {
	t.Helper()
	b.roundMu.Lock()
	r := b.round
	b.roundMu.Unlock()
	require.NotNil(t, r, "Options.WatchRound was not called")
	require.NoError(t, r(t.Context()))
}

// alertsUntil runs rounds until the alert channel holds n messages.
func (b *bot) alertsUntil(t *testing.T, n int) []fakediscord.Message {
	t.Helper()
	require.Eventually(t, func() bool {
		b.watchRound(t)
		return len(b.dc.Messages(alertChannel)) >= n
	}, 10*time.Second, 20*time.Millisecond, "no %d alerts; logs:\n%s", n, b.logs)
	return b.dc.Messages(alertChannel)
}

// settle runs rounds until the server's state as the watcher sees it is st.
func (b *bot) settle(t *testing.T, id string, st panel.State) {
	t.Helper()
	require.Eventually(t, func() bool { return b.sim.ServerState(id) == st }, 10*time.Second, 5*time.Millisecond)
}

func TestACrashAlertsOnceWithTheConsoleTailAndRecovers(t *testing.T) {
	t.Parallel()
	b, uuid := startRelayBot(t, withAlerts("5m"))
	require.NoError(t, b.sim.SetState(survivalID, panel.StateRunning))
	b.node.Emit(uuid, "[12:00:01] Saving chunks", "\x1b[31mException in server tick loop\x1b[0m <@&"+adminRole+">")
	relayed(t, b, "Exception in server tick loop")
	b.watchRound(t) // seen running
	require.NoError(t, b.sim.SetState(survivalID, panel.StateOffline))
	b.node.SetState(uuid, "offline")
	ms := b.alertsUntil(t, 1)
	require.Len(t, ms, 1)
	m := ms[0]
	assert.True(t, m.PingsOnlyRole(alertRole), "only the alert role is pinged")
	assert.Equal(t, "<@&"+alertRole+">", m.Content)
	assert.Contains(t, text(m), "Crashed: Survival")
	require.Len(t, m.Files, 1)
	assert.True(t, strings.HasSuffix(m.Files[0].Name, ".log"))
	log := string(m.Files[0].Data)
	assert.Contains(t, log, "Exception in server tick loop")
	assert.NotContains(t, log, "\x1b", "sanitised as the relay does")
	b.watchRound(t)
	b.watchRound(t)
	assert.Len(t, b.dc.Messages(alertChannel), 1, "one alert per episode")

	require.NoError(t, b.sim.SetState(survivalID, panel.StateRunning))
	b.node.SetState(uuid, "running")
	ms = b.alertsUntil(t, 2)
	assert.Contains(t, text(ms[1]), "Recovered: Survival")
	assert.True(t, ms[1].PingsOnlyRole(alertRole))
	b.restart(t)
	b.watchRound(t)
	b.watchRound(t)
	assert.Len(t, b.dc.Messages(alertChannel), 2, "nothing repeated after a restart")
}

func TestTheBotsOwnStopIsNoCrash(t *testing.T) {
	t.Parallel()
	b := startBot(t, withAlerts("5m"))
	b.watchRound(t) // Survival seen running
	p := b.dispatch(t, b.dc.Command(admin, "power", fakediscord.Value("server", "survival"), fakediscord.Value("action", "restart")))
	assert.Contains(t, text(b.reply(t, p)), "Restart sent")
	b.settle(t, survivalID, panel.StateRunning)
	for range 5 {
		b.watchRound(t)
	}
	assert.Empty(t, b.dc.Messages(alertChannel))
}

func TestAnUnreachablePanelAlertsOnceAndRecovers(t *testing.T) {
	t.Parallel()
	b := startBot(t, withAlerts("1s"))
	b.watchRound(t)
	b.sim.SetDown(true)
	ms := b.alertsUntil(t, 1)
	assert.Contains(t, text(ms[0]), "Unreachable: panel main")
	assert.True(t, ms[0].PingsOnlyRole(alertRole))
	b.sim.SetDown(false)
	ms = b.alertsUntil(t, 2)
	assert.Contains(t, text(ms[1]), "Recovered: panel main")
	b.watchRound(t)
	assert.Len(t, b.dc.Messages(alertChannel), 2)
}
