package commands

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

func fieldMap(e *discordgo.MessageEmbed) map[string]string {
	m := map[string]string{}
	for _, f := range e.Fields {
		m[f.Name] = f.Value
	}
	return m
}

func TestStatus(t *testing.T) {
	e := setup(t)
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "SURVIVAL")))
	c := only(t, e.sess)
	assert.Equal(t, discordgo.InteractionResponseChannelMessageWithSource, c.resp.Type)
	assert.Zero(t, c.resp.Data.Flags&discordgo.MessageFlagsEphemeral, "status is public")
	require.Len(t, c.resp.Data.Embeds, 1)
	em := c.resp.Data.Embeds[0]
	assert.Equal(t, colourRunning, em.Color)
	assert.Equal(t, "abc123 · panel main", em.Footer.Text)
	f := fieldMap(em)
	assert.Equal(t, "🟢 Running", f["State"])
	assert.Equal(t, "1h 0m", f["Uptime"])
	assert.Equal(t, "12.5 % / 200 %", f["CPU"])
	assert.Equal(t, "512 MiB / 2 GiB", f["Memory"])
	assert.Equal(t, "1 GiB / 10 GiB", f["Disk"])
	assert.Equal(t, "↓ 0 B · ↑ 0 B", f["Network"])
	assert.Equal(t, []string{
		"power/main%2Fabc123/start", "power/main%2Fabc123/restart",
		"power/main%2Fabc123/stop", "power/main%2Fabc123/kill",
	}, buttons(c.resp.Data.Components))
}

func TestStatusEmbed(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	target := func(s panel.Server) panel.Target { return panel.Target{Panel: "main", Server: s} }
	tests := []struct {
		name   string
		server panel.Server
		res    panel.Resources
		colour int
		fields map[string]string
		desc   string
	}{
		{
			name:   "not live",
			server: panel.Server{ID: "z1", Name: "Zed", Limits: panel.Limits{MemoryMB: 1024}},
			res:    panel.Resources{State: panel.StateOffline},
			colour: colourOffline,
			fields: map[string]string{"State": "🔴 Offline", "Uptime": "unavailable", "CPU": "unavailable / unlimited",
				"Memory": "unavailable / 1 GiB", "Disk": "unavailable / unlimited", "Network": "unavailable"},
			desc: "Live figures are unavailable",
		},
		{
			name:   "live, unlimited, big numbers",
			server: panel.Server{ID: "z1"},
			res: panel.Resources{State: panel.StateStarting, Live: true, Uptime: 50 * time.Hour, CPUPercent: 250,
				MemoryBytes: 3 << 30, DiskBytes: 1536 << 30, NetworkRxBytes: 2048, NetworkTxBytes: 5 << 40},
			colour: colourAmber,
			fields: map[string]string{"State": "🟡 Starting", "Uptime": "2d 2h", "CPU": "250 % / unlimited",
				"Memory": "3 GiB / unlimited", "Disk": "1.5 TiB / unlimited", "Network": "↓ 2 KiB · ↑ 5 TiB"},
		},
		{
			name:   "stopping, live limit wins",
			server: panel.Server{ID: "z1", Limits: panel.Limits{MemoryMB: 1}},
			res:    panel.Resources{State: panel.StateStopping, Live: true, MemoryLimitBytes: 4 << 30},
			colour: colourAmber,
			fields: map[string]string{"Memory": "0 B / 4 GiB", "Uptime": "0s"},
		},
		{
			name:   "unknown and suspended",
			server: panel.Server{ID: "z1", Suspended: true, Status: "installing"},
			res:    panel.Resources{State: panel.StateUnknown},
			colour: colourUnknown,
			fields: map[string]string{"State": "⚪ Unknown"},
			desc:   "**Suspended**",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			em := statusEmbed(target(tt.server), tt.res, now)
			assert.Equal(t, tt.colour, em.Color)
			f := fieldMap(em)
			for k, v := range tt.fields {
				assert.Equal(t, v, f[k], k)
			}
			assert.Contains(t, em.Description, tt.desc)
			checkMessage(t, "", []*discordgo.MessageEmbed{em}, nil, noMentions())
		})
	}
}

func TestStatusEmbedHugeNames(t *testing.T) {
	huge := strings.Repeat("*é_`", 3000)
	em := statusEmbed(panel.Target{Panel: "main", Server: panel.Server{ID: huge, Name: huge, Status: huge}},
		panel.Resources{State: panel.StateRunning, Live: true}, time.Now())
	checkMessage(t, "", []*discordgo.MessageEmbed{em}, nil, noMentions())
}

func TestStatusWithoutLiveFigures(t *testing.T) {
	called := false
	e := setup(t, func(_ *Config, p *paneltest.Client) {
		p.FeatureSet = 0
		p.ServersFn = func(context.Context) ([]panel.Server, error) {
			return []panel.Server{{ID: "7", Name: "Zampto box", State: panel.StateRunning}}, nil
		}
		p.ResourcesFn = func(context.Context, string) (panel.Resources, error) { called = true; return panel.Resources{}, nil }
	})
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "7")))
	c := only(t, e.sess)
	require.Len(t, c.resp.Data.Embeds, 1)
	f := fieldMap(c.resp.Data.Embeds[0])
	assert.Equal(t, "🟢 Running", f["State"])
	assert.Equal(t, "unavailable", f["Uptime"])
	assert.False(t, called, "a panel without live status is not asked")
}

func TestStatusUnsupportedFallsBack(t *testing.T) {
	e := setup(t, func(_ *Config, p *paneltest.Client) { p.ResourcesFn = nil })
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "abc123")))
	f := fieldMap(text2embed(t, only(t, e.sess)))
	assert.Equal(t, "⚪ Unknown", f["State"])
}

func text2embed(t *testing.T, c call) *discordgo.MessageEmbed {
	t.Helper()
	require.NotNil(t, c.resp)
	require.Len(t, c.resp.Data.Embeds, 1)
	return c.resp.Data.Embeds[0]
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		name string
		mut  func(*Config, *paneltest.Client)
		m    *discordgo.Member
		ref  string
		want string
	}{
		{"panel down", func(_ *Config, p *paneltest.Client) {
			p.ResourcesFn = func(context.Context, string) (panel.Resources, error) {
				return panel.Resources{}, &panel.Error{Class: panel.ErrUnavailable, Status: 502}
			}
		}, viewer(), "abc123", "not answering properly"},
		{"list down", func(_ *Config, p *paneltest.Client) {
			p.ServersFn = func(context.Context) ([]panel.Server, error) {
				return nil, &panel.Error{Class: panel.ErrUnauthorized, Status: 401}
			}
		}, viewer(), "abc123", "refused the bot's credentials"},
		{"unknown server", nil, viewer(), "nope", `No server called "nope"`},
		{"not a viewer", nil, memberOf(userNobody), "abc123", "viewer role"},
		{"not a viewer, unknown server", nil, memberOf(userNobody), "nope", "viewer role"},
		{"panel too slow", func(c *Config, p *paneltest.Client) {
			c.CallTimeout = time.Millisecond
			p.ResourcesFn = func(ctx context.Context, _ string) (panel.Resources, error) {
				<-ctx.Done()
				return panel.Resources{}, ctx.Err()
			}
		}, viewer(), "abc123", msgPanelSlow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mut []func(*Config, *paneltest.Client)
			if tt.mut != nil {
				mut = append(mut, tt.mut)
			}
			e := setup(t, mut...)
			e.handle(slash(tt.m, cmdStatus, opt(optServer, tt.ref)))
			c := only(t, e.sess)
			assertEphemeral(t, c)
			assert.Contains(t, text(t, c), tt.want)
		})
	}
}

func TestServers(t *testing.T) {
	e := setup(t)
	e.handle(slash(viewer(), cmdServers))
	c := only(t, e.sess)
	require.Len(t, c.resp.Data.Embeds, 1)
	d := c.resp.Data.Embeds[0].Description
	assert.Contains(t, d, "**Survival** `abc123` · 2 GiB RAM · 10 GiB disk · 200 % CPU")
	assert.Contains(t, d, "**Creative** `def456` · unlimited RAM · unlimited disk · unlimited CPU")
	assert.Equal(t, "2 servers", c.resp.Data.Embeds[0].Footer.Text)
}

func TestServersHugeList(t *testing.T) {
	var many []panel.Server
	for i := range 2000 {
		many = append(many, panel.Server{ID: fmt.Sprintf("id%05d", i), Name: strings.Repeat("n", 150) + fmt.Sprint(i)})
	}
	e := setup(t, func(_ *Config, p *paneltest.Client) {
		p.ServersFn = func(context.Context) ([]panel.Server, error) { return many, nil }
	})
	e.handle(slash(viewer(), cmdServers))
	c := only(t, e.sess)
	all := ""
	for _, em := range c.resp.Data.Embeds {
		all += em.Description
	}
	assert.Regexp(t, `…and \d+ more`, all)
	// checkPayloads (at cleanup) holds the embeds to Discord's limits.
}

func TestServersFilteredByOverride(t *testing.T) {
	e := setup(t, func(c *Config, _ *paneltest.Client) {
		require.NoError(t, c.ACL.Override("main/def456", acl.Rules{ViewerRoles: []string{"100000000000000099"}}))
	})
	e.handle(slash(viewer(), cmdServers))
	d := text2embed(t, only(t, e.sess)).Description
	assert.Contains(t, d, "Survival")
	assert.NotContains(t, d, "Creative")
}

func TestServersPanelDown(t *testing.T) {
	e := setup(t, func(_ *Config, p *paneltest.Client) {
		p.ServersFn = func(context.Context) ([]panel.Server, error) {
			return nil, &panel.Error{Class: panel.ErrUnavailable, Status: 503}
		}
	})
	e.handle(slash(viewer(), cmdServers))
	c := only(t, e.sess)
	assertEphemeral(t, c)
	assert.Contains(t, text(t, c), "not answering properly")
}

// TestPanelSentencesRenderLiterally: a panel's sentence can quote what the
// user typed, server names and the panel's own error text; none of it may
// format, mention or break out of the message.
func TestPanelSentencesRenderLiterally(t *testing.T) {
	const hostile = "@everyone **x** `y` <@1> [a](http://e.x) ||s||"
	const shown = `\@everyone \*\*x\*\* \` + "`y\\`" + ` \<\@1\> \[a\]\(http://e.x\) \|\|s\|\|`
	t.Run("panel detail", func(t *testing.T) {
		e := setup(t, func(_ *Config, p *paneltest.Client) {
			p.ResourcesFn = func(context.Context, string) (panel.Resources, error) {
				return panel.Resources{}, &panel.Error{Class: panel.ErrInvalid, Detail: hostile}
			}
		})
		e.handle(slash(viewer(), cmdStatus, opt(optServer, "abc123")))
		got := text(t, only(t, e.sess))
		assert.Contains(t, got, shown)
		assert.NotContains(t, got, "**x**")
	})
	t.Run("what the user typed", func(t *testing.T) {
		e := setup(t)
		e.handle(slash(viewer(), cmdStatus, opt(optServer, hostile)))
		got := text(t, only(t, e.sess))
		assert.Contains(t, got, "No server called")
		assert.Contains(t, got, shown)
	})
	t.Run("server names in an ambiguity", func(t *testing.T) {
		e := setup(t, func(_ *Config, p *paneltest.Client) {
			p.ServersFn = func(context.Context) ([]panel.Server, error) { return []panel.Server{{ID: "a1", Name: "**x**"}}, nil }
		})
		other := &paneltest.Client{ServersFn: func(context.Context) ([]panel.Server, error) { return []panel.Server{{ID: "b1", Name: "**x**"}}, nil }}
		require.NoError(t, e.reg.Add("other", other, nil))
		e.handle(slash(viewer(), cmdStatus, opt(optServer, "**x**")))
		got := text(t, only(t, e.sess))
		assert.Contains(t, got, `main/\*\*x\*\* or other/\*\*x\*\*`)
	})
}
