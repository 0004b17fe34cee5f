package commands

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

func powerSlash(m *discordgo.Member, server, action string) *discordgo.Interaction {
	return slash(m, cmdPower, opt(optServer, server), opt(optAction, action))
}

func TestTierFor(t *testing.T) {
	assert.Equal(t, acl.Operate, tierFor(panel.SignalStart))
	assert.Equal(t, acl.Admin, tierFor(panel.SignalStop))
	assert.Equal(t, acl.Admin, tierFor(panel.SignalRestart))
	assert.Equal(t, acl.Admin, tierFor(panel.SignalKill))
	assert.Equal(t, acl.Admin, tierFor(panel.Signal("nuke")))
}

func TestPowerTiers(t *testing.T) {
	tests := []struct {
		name    string
		m       *discordgo.Member
		action  string
		sent    bool   // the panel got the signal
		confirm bool   // a confirmation prompt was shown instead
		want    string // in the answer
	}{
		{"viewer cannot start", viewer(), "start", false, false, "operator role"},
		{"operator starts", operator(), "start", true, false, "Start sent to **Survival \\(abc123\\)**"},
		{"admin starts", admin(), "start", true, false, "Start sent"},
		{"viewer cannot restart", viewer(), "restart", false, false, "admin role"},
		{"operator cannot restart", operator(), "restart", false, false, "admin role"},
		{"admin restarts", admin(), "restart", true, false, "Restart sent"},
		{"operator cannot stop", operator(), "stop", false, false, "admin role"},
		{"admin stop asks first", admin(), "stop", false, true, "Stop Survival"},
		{"admin kill asks first", admin(), "kill", false, true, "Kill Survival"},
		{"nobody without roles", memberOf(userNobody), "start", false, false, "operator role"},
		{"DM refused", nil, "start", false, false, "direct messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" via /power", func(t *testing.T) {
			e := setup(t)
			e.handle(powerSlash(tt.m, "survival", tt.action))
			checkPower(t, e, tt.sent, tt.confirm, tt.want, tt.action)
		})
		t.Run(tt.name+" via button", func(t *testing.T) {
			e := setup(t)
			id, err := customID{verb: verbPower, key: "main/abc123", signal: panel.Signal(tt.action)}.encode()
			require.NoError(t, err)
			e.handle(click(tt.m, id, false))
			checkPower(t, e, tt.sent, tt.confirm, tt.want, tt.action)
		})
	}
}

func checkPower(t *testing.T, e *env, sent, confirm bool, want, action string) {
	t.Helper()
	c := only(t, e.sess)
	assert.Equal(t, discordgo.InteractionResponseChannelMessageWithSource, c.resp.Type)
	assertEphemeral(t, c)
	assert.Contains(t, text(t, c), want)
	if sent {
		assert.Equal(t, []powerCall{{"abc123", panel.Signal(action)}}, e.powerCalls())
	} else {
		assert.Empty(t, e.powerCalls())
	}
	ids := buttons(c.resp.Data.Components)
	if confirm {
		require.Len(t, ids, 2)
		assert.True(t, strings.HasPrefix(ids[0], "confirm/main%2Fabc123/"+action+"/"), ids[0])
		assert.Equal(t, "cancel/main%2Fabc123/"+action, ids[1])
	} else {
		assert.Empty(t, ids)
	}
}

// prompt runs /power <action> as admin and returns the Confirm and Cancel IDs.
func prompt(t *testing.T, e *env, action string) (string, string) {
	t.Helper()
	e.handle(powerSlash(admin(), "abc123", action))
	c := only(t, e.sess)
	ids := buttons(c.resp.Data.Components)
	require.Len(t, ids, 2)
	e.sess.calls = nil
	return ids[0], ids[1]
}

func TestConfirm(t *testing.T) {
	e := setup(t)
	yes, _ := prompt(t, e, "stop")
	assert.Empty(t, e.powerCalls(), "a prompt sends nothing")

	e.clock.Advance(DefaultConfirmTTL - 1)
	e.handle(click(admin(), yes, true))
	c := only(t, e.sess)
	assert.Equal(t, discordgo.InteractionResponseUpdateMessage, c.resp.Type, "the prompt is replaced")
	assert.Empty(t, c.resp.Data.Components, "its buttons disappear")
	assert.NotNil(t, c.resp.Data.Components, "components: [] clears them")
	assert.Contains(t, text(t, c), "Stop sent")
	assert.Equal(t, []powerCall{{"abc123", panel.SignalStop}}, e.powerCalls())
}

func TestConfirmExpired(t *testing.T) {
	e := setup(t)
	yes, _ := prompt(t, e, "kill")
	e.clock.Advance(DefaultConfirmTTL + 2e9)
	e.handle(click(admin(), yes, true))
	c := only(t, e.sess)
	assert.Equal(t, discordgo.InteractionResponseUpdateMessage, c.resp.Type)
	assert.Contains(t, text(t, c), "expired")
	assert.Empty(t, c.resp.Data.Components)
	assert.Empty(t, e.powerCalls())
	sends := e.sess.sends()
	require.Len(t, sends, 1)
	assert.Contains(t, sends[0].msg.Content, "expired")
}

func TestConfirmRechecksClicker(t *testing.T) {
	e := setup(t)
	yes, _ := prompt(t, e, "stop")
	e.handle(click(operator(), yes, true))
	c := only(t, e.sess)
	// The prompt is private, so the refusal replaces it.
	assert.Equal(t, discordgo.InteractionResponseUpdateMessage, c.resp.Type)
	assert.Contains(t, text(t, c), "admin role")
	assert.Empty(t, e.powerCalls())
}

func TestConfirmRefusalOnPublicMessageStaysPrivate(t *testing.T) {
	e := setup(t)
	yes, _ := prompt(t, e, "stop")
	e.handle(click(operator(), yes, false))
	c := only(t, e.sess)
	assert.Equal(t, discordgo.InteractionResponseChannelMessageWithSource, c.resp.Type)
	assertEphemeral(t, c)
	assert.Empty(t, e.powerCalls())
}

func TestCancel(t *testing.T) {
	e := setup(t)
	_, no := prompt(t, e, "stop")
	e.handle(click(admin(), no, true))
	c := only(t, e.sess)
	assert.Equal(t, discordgo.InteractionResponseUpdateMessage, c.resp.Type)
	assert.Contains(t, text(t, c), "Cancelled")
	assert.Empty(t, c.resp.Data.Components)
	assert.Empty(t, e.powerCalls())
	assert.Empty(t, e.sess.sends(), "a cancel is not an attempt")
}

func TestConfirmExpiryBeyondTTLRefused(t *testing.T) {
	e := setup(t)
	id, err := customID{verb: verbConfirm, key: "main/abc123", signal: panel.SignalStop, expiry: e.clock.Now().Unix() + 3600}.encode()
	require.NoError(t, err)
	e.handle(click(admin(), id, true))
	assert.Contains(t, text(t, only(t, e.sess)), "outdated")
	assert.Empty(t, e.powerCalls())
}

func TestForgedCustomIDs(t *testing.T) {
	long := "power/main%2F" + strings.Repeat("a", 100) + "/start"
	tests := []struct {
		name, id, want string
	}{
		{"too long", long, msgOutdatedButton},
		{"empty", "", msgOutdatedButton},
		{"unknown kind", "explode/main%2Fabc123/start", msgOutdatedButton},
		{"missing action", "power/main%2Fabc123", msgOutdatedButton},
		{"extra segment", "power/main%2Fabc123/start/1", msgOutdatedButton},
		{"raw slash in key", "power/main/abc123/start", msgOutdatedButton},
		{"bad action", "power/main%2Fabc123/explode", msgOutdatedButton},
		{"bad escaping", "power/main%2Gabc123/start", msgOutdatedButton},
		{"non-canonical escaping", "power/m%61in%2Fabc123/start", msgOutdatedButton},
		{"key without panel", "power/abc123/start", msgOutdatedButton},
		{"control char", "power/main%2Fabc%0A123/start", msgOutdatedButton},
		{"confirm without expiry", "confirm/main%2Fabc123/stop", msgOutdatedButton},
		{"confirm bad expiry", "confirm/main%2Fabc123/stop/-5", msgOutdatedButton},
		{"confirm hex expiry", "confirm/main%2Fabc123/stop/0x10", msgOutdatedButton},
		{"unknown server", "power/main%2Fnope/start", msgVanishedServer},
		{"unknown panel", "power/other%2Fabc123/start", msgVanishedServer},
		{"name instead of id", "power/main%2FSurvival/start", msgVanishedServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.handle(click(admin(), tt.id, false))
			c := only(t, e.sess)
			assertEphemeral(t, c)
			assert.Equal(t, tt.want, text(t, c))
			assert.Empty(t, e.powerCalls())
		})
	}
}

func TestPowerPanelErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"conflict", &panel.Error{Class: panel.ErrConflict, Err: errNetwork}, "suspended or busy"},
		{"panel down", &panel.Error{Class: panel.ErrUnavailable, Err: errNetwork}, "not answering properly"},
		{"unknown failure", errNetwork, "The bot's log has the details"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, func(_ *Config, p *paneltest.Client) {
				p.PowerFn = func(_ context.Context, _ string, _ panel.Signal) error { return tt.err }
			})
			e.handle(powerSlash(operator(), "abc123", "start"))
			c := only(t, e.sess)
			assertEphemeral(t, c)
			assert.Contains(t, text(t, c), tt.want)
			assert.NotContains(t, text(t, c), "10.1.2.3", "internals stay out of the user message")
			assert.Contains(t, e.logs.String(), "10.1.2.3", "the log keeps the whole chain")
		})
	}
}

func TestPowerOverride(t *testing.T) {
	const ownOperator = "100000000000000077"
	e := setup(t, func(c *Config, _ *paneltest.Client) {
		require.NoError(t, c.ACL.Override("main/def456", acl.Rules{OperatorRoles: []string{ownOperator}}))
	})
	e.handle(powerSlash(memberOf(userNobody, ownOperator), "creative", "start"))
	assert.Contains(t, text(t, only(t, e.sess)), "Start sent")
	e.sess.calls = nil
	e.handle(powerSlash(memberOf(userNobody, ownOperator), "survival", "start"))
	assert.Contains(t, text(t, only(t, e.sess)), "operator role")
	assert.Equal(t, []powerCall{{"def456", panel.SignalStart}}, e.powerCalls())
}

var errNetwork = errors.New("dial tcp 10.1.2.3:443: connection refused")

func TestExpiredConfirmStillRefusesTheClicker(t *testing.T) {
	e := setup(t)
	yes, _ := prompt(t, e, "stop")
	e.clock.Advance(DefaultConfirmTTL + 2e9)
	e.handle(click(operator(), yes, true))
	assert.Contains(t, text(t, only(t, e.sess)), "admin role", "a refusal names the tier, whatever the button's age")
	sends := e.sess.sends()
	require.Len(t, sends, 1)
	assert.Contains(t, sends[0].msg.Content, "refused: needs the admin tier")
}

func TestForgedCustomIDsAudited(t *testing.T) {
	e := setup(t)
	e.handle(click(admin(), "power/main%2Fabc`123 @everyone/start", false))
	assert.Equal(t, msgOutdatedButton, text(t, only(t, e.sess)))
	sends := e.sess.sends()
	require.Len(t, sends, 1, "a forged control is a refused control attempt")
	c := sends[0].msg.Content
	assert.Contains(t, c, "⛔")
	assert.Contains(t, c, "unreadable button on `power/main%2Fabcˋ123 @everyone/start` via button: refused")
	assert.Contains(t, e.logs.String(), `"result":"refused: the button is not one the bot made"`)
}

// TestConfirmOnPublicMessageAnswersPrivately: only a private prompt is
// replaced in place; a confirm that somehow sits on a public message is
// answered with a new private message (Discord cannot turn a public message
// private, and the fake refuses the attempt).
func TestConfirmOnPublicMessageAnswersPrivately(t *testing.T) {
	e := setup(t)
	yes, _ := prompt(t, e, "stop")
	e.handle(click(admin(), yes, false))
	c := only(t, e.sess)
	assert.Equal(t, discordgo.InteractionResponseChannelMessageWithSource, c.resp.Type)
	assertEphemeral(t, c)
	assert.Contains(t, text(t, c), "Stop sent")
}

// TestHandlerPanicAnswered: a panic in a handler (a panel client tripping
// on an odd answer) costs this one user an error message, not the bot.
func TestHandlerPanicAnswered(t *testing.T) {
	e := setup(t, func(_ *Config, p *paneltest.Client) {
		p.PowerFn = func(context.Context, string, panel.Signal) error { panic("index out of range") }
	})
	e.handle(powerSlash(operator(), "abc123", "start"))
	c := only(t, e.sess)
	assertEphemeral(t, c)
	assert.Equal(t, msgInternal, text(t, c))
	require.Len(t, e.sess.sends(), 1)
	assert.Contains(t, e.sess.sends()[0].msg.Content, "❌")
	assert.Contains(t, e.logs.String(), "handler panicked")
}
