package commands

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

func TestAuditPosted(t *testing.T) {
	tests := []struct {
		name string
		i    *discordgo.Interaction
		want []string
	}{
		{"allowed", powerSlash(operator(), "abc123", "start"),
			[]string{"✅", "**user2**", "`200000000000000002`", "power start", "`main/abc123`", "via /power", "sent"}},
		{"refused", powerSlash(viewer(), "abc123", "restart"),
			[]string{"⛔", "power restart", "refused: needs the admin tier"}},
		{"refused in DM", powerSlash(nil, "abc123", "restart"), []string{"⛔", "refused: outside a guild"}},
		{"failed unknown server", powerSlash(admin(), "nope", "restart"), []string{"❌", "`nope`", `failed: No server called "nope"`}},
		{"cmd", cmdSlash(admin(), "abc123", "say `hi` @everyone <@&1>"),
			[]string{"cmd `say ˋhiˋ @everyone <@&1>`", "sent"}},
		{"cmd refused text", cmdSlash(admin(), "abc123", "say\nstop"), []string{"cmd `say stop`", "❌"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.handle(tt.i)
			sends := e.sess.sends()
			require.Len(t, sends, 1)
			assert.Equal(t, auditChannel, sends[0].channel)
			for _, w := range tt.want {
				assert.Contains(t, sends[0].msg.Content, w)
			}
			am := sends[0].msg.AllowedMentions
			require.NotNil(t, am)
			assert.NotNil(t, am.Parse)
			assert.Empty(t, am.Parse)
			assert.Contains(t, e.logs.String(), `"msg":"audit"`)
		})
	}
}

func TestAuditButtonAndConfirm(t *testing.T) {
	e := setup(t)
	e.handle(click(operator(), "power/main%2Fabc123/start", false))
	require.Len(t, e.sess.sends(), 1)
	assert.Contains(t, e.sess.sends()[0].msg.Content, "power start on `main/abc123` via button: sent")
	e.sess.calls = nil
	yes, _ := prompt(t, e, "stop") // prompt() clears the calls
	assert.Empty(t, e.sess.sends(), "asking for confirmation posts nothing")
	e.handle(click(admin(), yes, true))
	sends := e.sess.sends()
	require.Len(t, sends, 1)
	assert.Contains(t, sends[0].msg.Content, "power stop on `main/abc123` via confirm: sent")
}

func TestAuditNothingWithoutChannel(t *testing.T) {
	e := setup(t, func(c *Config, _ *paneltest.Client) { c.AuditChannelID = "" })
	e.handle(powerSlash(operator(), "abc123", "start"))
	assert.Empty(t, e.sess.sends())
	assert.Contains(t, e.logs.String(), `"msg":"audit"`, "the log still has it")
	assert.Contains(t, e.logs.String(), `"user_id":"200000000000000002"`)
}

func TestAuditNotForViewing(t *testing.T) {
	e := setup(t)
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "abc123")))
	e.handle(slash(viewer(), cmdServers))
	assert.Empty(t, e.sess.sends())
}

func TestAuditKeepsInternalsOut(t *testing.T) {
	e := setup(t, func(_ *Config, p *paneltest.Client) {
		p.PowerFn = func(context.Context, string, panel.Signal) error {
			return &panel.Error{Class: panel.ErrUnavailable, Op: "power start abc123", Err: errNetwork}
		}
	})
	e.handle(powerSlash(operator(), "abc123", "start"))
	sends := e.sess.sends()
	require.Len(t, sends, 1)
	assert.NotContains(t, sends[0].msg.Content, "10.1.2.3")
	assert.Contains(t, sends[0].msg.Content, "failed: The panel is not answering properly")
}

func TestAuditEscapesNames(t *testing.T) {
	e := setup(t)
	m := operator()
	m.Nick = "**bold** @everyone\n<@1>"
	e.handle(powerSlash(m, "abc123", "start"))
	c := e.sess.sends()[0].msg.Content
	assert.Contains(t, c, `\*\*bold\*\* \@everyone \<\@1\>`)
	assert.NotContains(t, c, "\n")
}

func TestAuditDropsWhenFull(t *testing.T) {
	e := setup(t)
	for range cap(e.router.auditSlots) {
		e.router.auditSlots <- struct{}{}
	}
	e.handle(powerSlash(operator(), "abc123", "start"))
	assert.Empty(t, e.sess.sends())
	assert.True(t, strings.Contains(e.logs.String(), "audit post dropped"))
	assert.Len(t, e.powerCalls(), 1, "the user was still served")
}
