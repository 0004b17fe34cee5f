package commands

import (
	"context"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel/paneltest"
	"github.com/panelbot/panelbot/internal/store"
)

// fakeDashboards records what /dashboard asked for.
type fakeDashboards struct {
	mu      sync.Mutex
	created [][]string
	removed []string
}

func (f *fakeDashboards) Create(_ context.Context, _, _ string, servers []string) (store.Dashboard, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = append(f.created, servers)
	return store.Dashboard{ID: int64(len(f.created))}, nil
}

func (f *fakeDashboards) Remove(_ context.Context, channelID string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, channelID)
	return len(f.removed) - 1, nil
}

func dashboardSlash(m *discordgo.Member, sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	i := slash(m, cmdDashboard, &discordgo.ApplicationCommandInteractionDataOption{
		Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts})
	i.ChannelID = "900000000000000009"
	return i
}

func withDashboards(f *fakeDashboards) func(*Config, *paneltest.Client) {
	return func(c *Config, _ *paneltest.Client) { c.Dashboards = f }
}

func TestDashboardCreate(t *testing.T) {
	f := &fakeDashboards{}
	e := setup(t, withDashboards(f))
	e.handle(dashboardSlash(admin(), subCreate))
	e.handle(dashboardSlash(admin(), subCreate, opt(optServers, " creative, abc123 ,")))
	as := e.sess.answers()
	require.Len(t, as, 2)
	for _, c := range as {
		assertEphemeral(t, c)
		assert.Contains(t, text(t, c), "posted in this channel")
	}
	assert.Equal(t, [][]string{nil, {"main/def456", "main/abc123"}}, f.created)
	assert.Contains(t, e.logs.String(), "dashboard create", "audited")
	assert.Len(t, e.sess.sends(), 2, "posted to the audit channel")
}

func TestDashboardRemove(t *testing.T) {
	f := &fakeDashboards{}
	e := setup(t, withDashboards(f))
	e.handle(dashboardSlash(admin(), subRemove))
	e.handle(dashboardSlash(admin(), subRemove))
	as := e.sess.answers()
	require.Len(t, as, 2)
	assert.Equal(t, msgNoDashboardIn, text(t, as[0]))
	assert.Contains(t, text(t, as[1]), "Removed 1 dashboard")
	assert.Equal(t, []string{"900000000000000009", "900000000000000009"}, f.removed, "the channel it is used in")
}

func TestDashboardRefusals(t *testing.T) {
	f := &fakeDashboards{}
	e := setup(t, withDashboards(f))
	for _, m := range []*discordgo.Member{viewer(), operator()} {
		e.handle(dashboardSlash(m, subCreate))
		e.handle(dashboardSlash(m, subRemove))
	}
	e.handle(dashboardSlash(admin(), subCreate, opt(optServers, "nosuch")))
	for _, c := range e.sess.answers() {
		assertEphemeral(t, c)
	}
	assert.Empty(t, f.created)
	assert.Empty(t, f.removed)
	assert.Contains(t, e.logs.String(), "refused: needs the admin tier")

	none := setup(t)
	none.handle(dashboardSlash(admin(), subCreate))
	assert.Equal(t, msgNoDashboards, text(t, only(t, none.sess)))
}

func TestDashboardDefinition(t *testing.T) {
	d := dashboardCommand()
	require.Len(t, d.Options, 2)
	for _, o := range d.Options {
		assert.Equal(t, discordgo.ApplicationCommandOptionSubCommand, o.Type)
		assert.LessOrEqual(t, len(o.Description), 100)
		for _, sub := range o.Options {
			assert.False(t, sub.Required)
			assert.LessOrEqual(t, len(sub.Description), 100)
		}
	}
}
