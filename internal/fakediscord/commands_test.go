package fakediscord

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommandRegistrationValidation(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild))
	path := "/applications/" + s.AppID() + "/guilds/" + testGuild + "/commands"
	opt := func(o map[string]any) []any {
		return []any{map[string]any{"name": "cmd", "description": "d", "options": []any{o}}}
	}
	cases := []struct {
		name string
		body []any
		at   []string
	}{
		{"uppercase name", []any{map[string]any{"name": "Status", "description": "d"}}, []string{"0", "name"}},
		{"space in name", []any{map[string]any{"name": "my cmd", "description": "d"}}, []string{"0", "name"}},
		{"33 chars", []any{map[string]any{"name": strings.Repeat("a", 33), "description": "d"}}, []string{"0", "name"}},
		{"no description", []any{map[string]any{"name": "cmd"}}, []string{"0", "description"}},
		{"description 101", []any{map[string]any{"name": "cmd", "description": strings.Repeat("d", 101)}}, []string{"0", "description"}},
		{"duplicate", []any{map[string]any{"name": "a", "description": "d"}, map[string]any{"name": "a", "description": "d"}}, []string{"1", "name"}},
		{"bad option type", opt(map[string]any{"type": 12, "name": "o", "description": "d"}), []string{"0", "options", "0", "type"}},
		{"choices on bool", opt(map[string]any{"type": 5, "name": "o", "description": "d", "choices": []any{map[string]any{"name": "a", "value": "a"}}}), []string{"0", "options", "0"}},
		{"int choice for string", opt(map[string]any{"type": 3, "name": "o", "description": "d", "choices": []any{map[string]any{"name": "a", "value": 1}}}), []string{"0", "options", "0", "choices", "0", "value"}},
		{"autocomplete with choices", opt(map[string]any{"type": 3, "name": "o", "description": "d", "autocomplete": true, "choices": []any{map[string]any{"name": "a", "value": "a"}}}), []string{"0", "options", "0", "autocomplete"}},
		{"context menu description", []any{map[string]any{"type": 2, "name": "Info", "description": "d"}}, []string{"0", "description"}},
		{"bad permissions", []any{map[string]any{"name": "cmd", "description": "d", "default_member_permissions": "admin"}}, []string{"0", "default_member_permissions"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := hit(t, s, http.MethodPut, path, tc.body, true)
			require.Equal(t, http.StatusBadRequest, status)
			assert.NotEmpty(t, errorAt(body, tc.at...), "errors: %v", body["errors"])
		})
	}
	t.Run("required after optional", func(t *testing.T) {
		body := []any{map[string]any{"name": "cmd", "description": "d", "options": []any{
			map[string]any{"type": 3, "name": "a", "description": "d"},
			map[string]any{"type": 3, "name": "b", "description": "d", "required": true},
		}}}
		status, b, _ := hit(t, s, http.MethodPut, path, body, true)
		require.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", errorAt(b, "0", "options", "1"))
	})
	t.Run("26 options", func(t *testing.T) {
		var os []any
		for i := range 26 {
			os = append(os, map[string]any{"type": 3, "name": "o" + string(rune('a'+i)), "description": "d"})
		}
		status, b, _ := hit(t, s, http.MethodPut, path, []any{map[string]any{"name": "cmd", "description": "d", "options": os}}, true)
		require.Equal(t, http.StatusBadRequest, status)
		assert.NotEmpty(t, errorAt(b, "0", "options"))
	})
	t.Run("other guild or app", func(t *testing.T) {
		status, _, _ := hit(t, s, http.MethodPut, "/applications/"+s.AppID()+"/guilds/1/commands", []any{}, true)
		assert.Equal(t, http.StatusForbidden, status)
		status, _, _ = hit(t, s, http.MethodPut, "/applications/1/commands", []any{}, true)
		assert.Equal(t, http.StatusForbidden, status)
	})
	status, body, _ := hit(t, s, http.MethodGet, path, nil, true)
	require.Equal(t, http.StatusOK, status, "%v", body)
}

func TestCommandsStoredAndIDsKept(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild))
	dg := restSession(t, s)
	first, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), "", statusCommands())
	require.NoError(t, err)
	second, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), "", statusCommands()[:1])
	require.NoError(t, err)
	require.Len(t, second, 1)
	assert.Equal(t, first[0].ID, second[0].ID, "overwrite keeps the ID of a same-named command")
	listed, err := dg.ApplicationCommands(s.AppID(), "")
	require.NoError(t, err)
	require.Len(t, listed, 1)
	assert.Equal(t, "status", listed[0].Name)
	assert.Equal(t, s.AppID(), listed[0].ApplicationID)
	guild, err := dg.ApplicationCommands(s.AppID(), testGuild)
	require.NoError(t, err)
	assert.Empty(t, guild)
}

// TestDispatchRefusesWhatDiscordWouldNotSend checks the builders' strictness.
func TestDispatchRefusesWhatDiscordWouldNotSend(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel))
	_, err := restSession(t, s).ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)
	m := s.DispatchMessageCreate(UserMessage{GuildID: testGuild, ChannelID: testChannel, AuthorID: testUser, Content: "x"})
	cases := []struct {
		name string
		i    *Interaction
		want string
	}{
		{"unregistered", s.Command(member(0), "nope"), "no command /nope"},
		{"unknown option", s.Command(member(0), "status", Value("server", "a"), Value("color", "red")), `no option "color"`},
		{"missing required", s.Command(member(0), "status"), `required option "server" missing`},
		{"wrong type", s.Command(member(0), "status", Value("server", "a"), Value("lines", "ten")), "want a number"},
		{"below min", s.Command(member(0), "status", Value("server", "a"), Value("lines", 0)), "min_value"},
		{"permission gate", s.Command(member(0), "power", Sub("start", Value("server", "a"))), "default_member_permissions"},
		{"no sub-command", s.Command(member(discordgo.PermissionManageServer), "power"), "exactly one sub-command"},
		{"guild command in DM", s.Command(Actor{ChannelID: "5", UserID: testUser}, "status", Value("server", "a")), "DMs only see global commands"},
		{"focus without autocomplete", s.Autocomplete(member(0), "status", Value("server", "a"), Focus("lines", "1")), "not registered with autocomplete"},
		{"no focus", s.Autocomplete(member(0), "status", Value("server", "a")), "exactly one Focus()"},
		{"no such button", s.Button(member(0), m.ID, "x"), "no component"},
		{"unknown guild", s.Command(Actor{GuildID: "7", ChannelID: "8", UserID: testUser}, "status", Value("server", "a")), "not in guild"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &fatalRecorder{TB: t}
			assert.Nil(t, s.Dispatch(rec, tc.i))
			assert.Contains(t, rec.msg, tc.want)
		})
	}
	ok := s.Command(member(discordgo.PermissionAdministrator), "power", Sub("start", Value("server", "a")))
	require.NotNil(t, s.Dispatch(t, ok), "administrators pass the permission gate")
	rec := &fatalRecorder{TB: t}
	s.Dispatch(rec, ok)
	assert.Contains(t, rec.msg, "already dispatched")
}

func TestComponentsAndDMs(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel))
	dg := restSession(t, s)
	_, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), "", statusCommands()[:1])
	require.NoError(t, err)

	dm := Actor{ChannelID: "800000000000000001", UserID: testUser}
	i := s.Command(dm, "status", Value("server", "a"))
	p := s.Dispatch(t, i)
	s.mu.Lock()
	ev := s.gw.pending[len(s.gw.pending)-1]
	s.mu.Unlock()
	assert.Equal(t, "INTERACTION_CREATE", ev.name)
	assert.Nil(t, ev.data["member"])
	assert.NotNil(t, ev.data["user"])

	di := &discordgo.Interaction{ID: i.ID, Token: i.Token, AppID: s.AppID()}
	require.NoError(t, dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{
		Content: "pick", Flags: discordgo.MessageFlagsEphemeral,
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.SelectMenu{CustomID: "pick/server", Options: []discordgo.SelectMenuOption{{Label: "A", Value: "a"}, {Label: "B", Value: "b"}}},
		}}},
	}}))
	orig, _ := p.Original()
	assert.True(t, orig.Ephemeral())

	rec := &fatalRecorder{TB: t}
	s.Dispatch(rec, s.Select(Actor{UserID: "42"}, orig.ID, "pick/server", "a"))
	assert.Contains(t, rec.msg, "ephemeral", "only the invoking user sees an ephemeral message")
	rec = &fatalRecorder{TB: t}
	s.Dispatch(rec, s.Select(Actor{UserID: testUser}, orig.ID, "pick/server", "c"))
	assert.Contains(t, rec.msg, `no option "c"`)
	rec = &fatalRecorder{TB: t}
	s.Dispatch(rec, s.Button(Actor{UserID: testUser}, orig.ID, "pick/server"))
	assert.Contains(t, rec.msg, "not a button")

	sel := s.Select(Actor{UserID: testUser}, orig.ID, "pick/server", "b")
	sp := s.Dispatch(t, sel)
	sdi := &discordgo.Interaction{ID: sel.ID, Token: sel.Token, AppID: s.AppID()}
	require.NoError(t, dg.InteractionRespond(sdi, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}))
	_, err = dg.InteractionResponseEdit(sdi, &discordgo.WebhookEdit{Content: ptr("picked b")})
	require.NoError(t, err)
	got := sp.WaitOriginal(t, func(m Message) bool { return m.Content == "picked b" })
	assert.Equal(t, orig.ID, got.ID, "after a deferred update @original is the clicked message")
}
