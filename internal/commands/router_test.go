package commands

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
)

func TestMalformedInteractions(t *testing.T) {
	withData := func(d discordgo.InteractionData) *discordgo.Interaction {
		i := slash(admin(), cmdStatus)
		i.Data = d
		return i
	}
	tests := []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"unknown command", slash(admin(), "explode"), msgUnknownCommand},
		{"no data", withData(nil), msgUnknownCommand},
		{"wrong data type", withData(discordgo.MessageComponentInteractionData{CustomID: "x"}), msgUnknownCommand},
		{"pointer data", withData(&discordgo.ApplicationCommandInteractionData{Name: cmdServers}), "Survival"},
		{"nil pointer data", withData((*discordgo.ApplicationCommandInteractionData)(nil)), msgUnknownCommand},
		{"missing option", slash(admin(), cmdStatus), "The server option is missing"},
		{"number instead of string", slash(admin(), cmdStatus, opt(optServer, 42.0)), "The server option is missing"},
		{"nil option", slash(admin(), cmdStatus, nil), "The server option is missing"},
		{"missing action", slash(admin(), cmdPower, opt(optServer, "abc123")), "The action option is missing"},
		{"bad action", powerSlash(admin(), "abc123", "explode"), "Pick the action"},
		{"member without user", slash(&discordgo.Member{Roles: []string{roleAdmin}}, cmdServers), "direct messages"},
		{"DM with user", func() *discordgo.Interaction {
			i := slash(nil, cmdServers)
			i.User = &discordgo.User{ID: userAdmin}
			return i
		}(), "direct messages"},
		{"component without data", func() *discordgo.Interaction {
			i := click(admin(), "x", false)
			i.Data = nil
			return i
		}(), msgUnknownCommand},
		{"modal submit", func() *discordgo.Interaction {
			i := slash(admin(), cmdServers)
			i.Type = discordgo.InteractionModalSubmit
			return i
		}(), msgUnknownCommand},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.handle(tt.i)
			c := only(t, e.sess)
			if tt.want != "Survival" {
				assertEphemeral(t, c)
				assert.Contains(t, text(t, c), tt.want)
			} else {
				assert.Contains(t, c.resp.Data.Embeds[0].Description, tt.want)
			}
			assert.Empty(t, e.powerCalls())
		})
	}
}

func TestIgnoredInteractions(t *testing.T) {
	e := setup(t)
	e.router.Handle(context.Background(), e.sess, nil)
	e.handle(&discordgo.Interaction{Type: discordgo.InteractionPing})
	e.handle(&discordgo.Interaction{Type: 99})
	auto := typing(admin(), cmdStatus, "")
	auto.Data = nil
	e.handle(auto)
	assert.Equal(t, []string{"respond"}, e.sess.methods(), "only the autocomplete is answered, with nothing")
}

// TestDecodedPayload feeds the router an interaction decoded by discordgo from
// Discord's JSON, as the gateway delivers it.
func TestDecodedPayload(t *testing.T) {
	raw := `{"id":"1","application_id":"2","type":2,"token":"t","guild_id":"3",
		"member":{"user":{"id":"200000000000000002","username":"op"},"roles":["100000000000000002"]},
		"data":{"id":"4","name":"power","type":1,"options":[
			{"name":"server","type":3,"value":"Survival"},{"name":"action","type":3,"value":"start"}]}}`
	var i discordgo.Interaction
	require.NoError(t, json.Unmarshal([]byte(raw), &i))
	e := setup(t)
	e.handle(&i)
	assert.Contains(t, text(t, only(t, e.sess)), "Start sent")
	assert.Equal(t, []powerCall{{"abc123", panel.SignalStart}}, e.powerCalls())
}

func TestPayloadJSON(t *testing.T) {
	b, err := json.Marshal(say("hi", true).data())
	require.NoError(t, err)
	assert.Contains(t, string(b), `"allowed_mentions":{"parse":[]`)
	assert.Contains(t, string(b), `"components":[]`)
	assert.Contains(t, string(b), `"flags":64`)
	b, err = json.Marshal(say("hi", false).send())
	require.NoError(t, err)
	assert.Contains(t, string(b), `"allowed_mentions":{"parse":[]`)
	b, err = json.Marshal(say("hi", true).edit())
	require.NoError(t, err)
	assert.Contains(t, string(b), `"allowed_mentions":{"parse":[]`)
	b, err = json.Marshal(say("hi", true).followup())
	require.NoError(t, err)
	assert.Contains(t, string(b), `"flags":64`)
}

func TestNewValidates(t *testing.T) {
	policy, err := acl.New(acl.Rules{})
	require.NoError(t, err)
	reg := panel.NewRegistry()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no panels", Config{ACL: policy}, "Panels"},
		{"no ACL", Config{Panels: reg}, "ACL"},
		{"bad audit channel", Config{Panels: reg, ACL: policy, AuditChannelID: "audit"}, "audit channel"},
		{"defer too late", Config{Panels: reg, ACL: policy, DeferAfter: 3 * time.Second}, "DeferAfter"},
		{"negative timeout", Config{Panels: reg, ACL: policy, CallTimeout: -1}, "CallTimeout"},
		{"timeout past token", Config{Panels: reg, ACL: policy, CallTimeout: 15 * time.Minute}, "CallTimeout"},
		{"autocomplete too slow", Config{Panels: reg, ACL: policy, AutocompleteBudget: 3 * time.Second}, "AutocompleteBudget"},
		{"confirm too long", Config{Panels: reg, ACL: policy, ConfirmTTL: 2 * time.Hour}, "ConfirmTTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err = New(Config{Panels: reg, ACL: policy})
	assert.NoError(t, err)
}

func TestDefinitions(t *testing.T) {
	defs := Definitions()
	byName := map[string]*discordgo.ApplicationCommand{}
	for _, d := range defs {
		byName[d.Name] = d
		assert.Equal(t, discordgo.ChatApplicationCommand, d.Type)
		assert.NotEmpty(t, d.Description)
		assert.LessOrEqual(t, len(d.Description), 100)
		require.NotNil(t, d.DMPermission)
		assert.False(t, *d.DMPermission)
		require.NotNil(t, d.Contexts)
		assert.Equal(t, []discordgo.InteractionContextType{discordgo.InteractionContextGuild}, *d.Contexts)
		assert.NotNil(t, d.Options)
		for _, o := range d.Options {
			if o.Type == discordgo.ApplicationCommandOptionSubCommand {
				continue // dashboard_test.go checks /dashboard's
			}
			assert.Equal(t, discordgo.ApplicationCommandOptionString, o.Type)
			assert.True(t, o.Required)
			assert.LessOrEqual(t, len(o.Description), 100)
			assert.False(t, o.Autocomplete && len(o.Choices) > 0, "autocomplete excludes choices")
		}
	}
	require.Len(t, byName, 8)
	assert.Empty(t, byName["servers"].Options)
	assert.Equal(t, []string{"server"}, optionNames(byName["status"]))
	assert.Equal(t, []string{"server", "action"}, optionNames(byName["power"]))
	assert.Equal(t, []string{"server", "command"}, optionNames(byName["cmd"]))
	assert.True(t, byName["status"].Options[0].Autocomplete)
	var actions []string
	for _, c := range byName["power"].Options[1].Choices {
		actions = append(actions, c.Value.(string))
	}
	assert.Equal(t, []string{"start", "stop", "restart", "kill"}, actions)
	assert.Equal(t, panel.MaxCommandRunes, byName["cmd"].Options[1].MaxLength)
	assert.Equal(t, []string{"server", "range"}, optionNames(byName["history"]))
	var ranges []string
	for _, c := range byName["history"].Options[1].Choices {
		ranges = append(ranges, c.Value.(string))
	}
	assert.Equal(t, []string{"1h", "24h", "7d"}, ranges)
}

func optionNames(c *discordgo.ApplicationCommand) []string {
	var out []string
	for _, o := range c.Options {
		out = append(out, o.Name)
	}
	return out
}

func TestUserTextForeignErrors(t *testing.T) {
	assert.Equal(t, msgPanelSlow, userText(context.DeadlineExceeded))
	assert.Equal(t, msgShuttingDown, userText(context.Canceled))
	assert.Contains(t, userText(&panel.Error{Class: panel.ErrUnavailable, Err: context.DeadlineExceeded}), "not answering properly")
	assert.Contains(t, userText(&acl.DeniedError{Tier: acl.Admin, Reason: acl.ReasonMissingRole}), "admin role")
}
