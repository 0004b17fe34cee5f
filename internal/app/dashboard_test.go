package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
)

// dashboards are the bot's dashboard messages in the test channel.
func (b *bot) dashboards() []fakediscord.Message {
	var out []fakediscord.Message
	for _, m := range b.dc.Messages(channelID) {
		if m.AuthorID == b.dc.BotUserID() && m.InteractionID == "" && len(m.Embeds) > 0 && m.Embeds[0].Title == "Server status" {
			out = append(out, m)
		}
	}
	return out
}

func (b *bot) runRound(t *testing.T) { t.Helper(); b.watchRound(t) }

func (b *bot) dashboardCommand(t *testing.T, who fakediscord.Actor, sub string) string {
	t.Helper()
	p := b.dispatch(t, b.dc.Command(who, "dashboard", fakediscord.Sub(sub)))
	m := b.reply(t, p)
	assert.True(t, m.Ephemeral())
	return m.Content
}

// TestDashboardLivesAcrossRestartsAndDeletion runs app.Run twice on one
// DATA_DIR (a real database file).
func TestDashboardLivesAcrossRestartsAndDeletion(t *testing.T) {
	// The status cache shares a panel's answer for 5 s: the clock moves
	// past it before each round that must see a change.
	clk := manualclock.New(time.Unix(1_750_000_000, 0))
	b := startBot(t, func(s *setup) { s.now = clk.Now })
	b.runRound(t)
	assert.Contains(t, b.dashboardCommand(t, admin, "create"), "posted in this channel")
	ds := b.dashboards()
	require.Len(t, ds, 1)
	id := ds[0].ID
	assert.True(t, ds[0].PingsNobody())
	assert.Contains(t, text(ds[0]), "Survival")
	assert.Contains(t, text(ds[0]), "Creative")

	// Uptime moves with the real clock, so whether an unchanged round
	// edits is left to the updater's tests; a change of state always does.
	m, _ := b.dc.Message(id)
	before := m.Edits
	require.NoError(t, b.sim.SetState(creativeID, panel.StateRunning))
	clk.Advance(time.Minute)
	b.runRound(t)
	m, _ = b.dc.Message(id)
	assert.Greater(t, m.Edits, before, "edited in place")
	assert.Contains(t, text(m), "Running: 2")
	assert.True(t, m.PingsNobody())

	b.restart(t)
	require.NoError(t, b.sim.SetState(creativeID, panel.StateOffline))
	clk.Advance(time.Minute)
	b.runRound(t)
	m, _ = b.dc.Message(id)
	assert.Contains(t, text(m), "Offline: 1", "the same message edited after a restart")
	require.Len(t, b.dashboards(), 1, "no duplicate")

	require.True(t, b.dc.DeleteMessage(id))
	require.NoError(t, b.sim.SetState(creativeID, panel.StateRunning))
	clk.Advance(time.Minute)
	b.runRound(t)
	b.runRound(t)
	assert.Empty(t, b.dashboards(), "not reposted by itself")
	assert.Equal(t, 1, strings.Count(b.logs.String(), "deleted in Discord"), "one log line")

	b.restart(t)
	b.runRound(t)
	assert.Empty(t, b.dashboards(), "forgotten for good")
	b.dashboardCommand(t, admin, "create")
	require.Len(t, b.dashboards(), 1, "recreated on request")
}

func TestDashboardRemoveAndRefusal(t *testing.T) {
	b := startBot(t)
	b.runRound(t)
	assert.Contains(t, b.dashboardCommand(t, viewer, "create"), "admin")
	assert.Contains(t, b.dashboardCommand(t, operator, "remove"), "admin")
	assert.Empty(t, b.dashboards())

	b.dashboardCommand(t, admin, "create")
	ds := b.dashboards()
	require.Len(t, ds, 1)
	assert.Contains(t, b.dashboardCommand(t, admin, "remove"), "Removed 1 dashboard")
	m, _ := b.dc.Message(ds[0].ID)
	assert.True(t, m.Deleted)
	b.runRound(t)
	assert.Empty(t, b.dashboards())
}
