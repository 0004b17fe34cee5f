package fakediscord

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthRequired(t *testing.T) {
	t.Parallel()
	s := New(t, WithChannel(testGuild, testChannel))
	status, body, _ := hit(t, s, http.MethodGet, "/users/@me", nil, false)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "401: Unauthorized", body["message"])
	assert.EqualValues(t, 0, body["code"])
	status, _, _ = hit(t, s, http.MethodPost, "/channels/"+testChannel+"/messages", map[string]any{"content": "x"}, false)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, 2, s.InvalidRequests())

	status, body, _ = hit(t, s, http.MethodGet, "/gateway", nil, false)
	assert.Equal(t, http.StatusOK, status, "/gateway needs no token")
	assert.Equal(t, s.GatewayURL(), body["url"])
	status, _, _ = hit(t, s, http.MethodGet, "/nope", nil, true)
	assert.Equal(t, http.StatusNotFound, status)
	status, _, _ = hit(t, s, http.MethodDelete, "/users/@me", nil, true)
	assert.Equal(t, http.StatusMethodNotAllowed, status)

	for _, r := range s.Requests() {
		assert.Empty(t, r.Header.Get("Authorization"), "recorded headers hide the token")
	}
}

func TestMessageValidation(t *testing.T) {
	t.Parallel()
	s := New(t, WithChannel(testGuild, testChannel), WithChannelBucket(1000, 1))
	long := func(n int) string { return strings.Repeat("a", n) }
	button := func(b map[string]any) map[string]any {
		return map[string]any{"components": []any{map[string]any{"type": 1, "components": []any{b}}}}
	}
	embed := func(e map[string]any) map[string]any { return map[string]any{"embeds": []any{e}} }
	cases := []struct {
		name string
		body map[string]any
		path []string
	}{
		{"content 2001", map[string]any{"content": long(2001)}, []string{"content"}},
		{"11 embeds", map[string]any{"embeds": make([]any, 11)}, []string{"embeds"}},
		{"title 257", embed(map[string]any{"title": long(257)}), []string{"embeds", "0", "title"}},
		{"description 4097", embed(map[string]any{"description": long(4097)}), []string{"embeds", "0", "description"}},
		{"footer 2049", embed(map[string]any{"footer": map[string]any{"text": long(2049)}}), []string{"embeds", "0", "footer", "text"}},
		{"field value 1025", embed(map[string]any{"fields": []any{map[string]any{"name": "n", "value": long(1025)}}}), []string{"embeds", "0", "fields", "0", "value"}},
		{"field without name", embed(map[string]any{"fields": []any{map[string]any{"value": "v"}}}), []string{"embeds", "0", "fields", "0", "name"}},
		{"26 fields", embed(map[string]any{"fields": make([]any, 26)}), []string{"embeds", "0", "fields"}},
		{"embeds over 6000", map[string]any{"embeds": []any{
			map[string]any{"description": long(4000)}, map[string]any{"description": long(2001)},
		}}, []string{"embeds"}},
		{"6 rows", map[string]any{"components": make([]any, 6)}, []string{"components"}},
		{"custom_id 101", button(map[string]any{"type": 2, "style": 1, "label": "x", "custom_id": long(101)}), []string{"components", "0", "components", "0", "custom_id"}},
		{"no label or emoji", button(map[string]any{"type": 2, "style": 1, "label": "", "custom_id": "a"}), []string{"components", "0", "components", "0"}},
		{"link with custom_id", button(map[string]any{"type": 2, "style": 5, "label": "x", "url": "https://x", "custom_id": "a"}), []string{"components", "0", "components", "0", "custom_id"}},
		{"link without url", button(map[string]any{"type": 2, "style": 5, "label": "x"}), []string{"components", "0", "components", "0", "url"}},
		{"bad flags", map[string]any{"content": "x", "flags": 1 << 3}, []string{"flags"}},
		{"bad allowed_mentions", map[string]any{"content": "x", "allowed_mentions": map[string]any{"parse": []any{"all"}}}, []string{"allowed_mentions", "parse", "0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := hit(t, s, http.MethodPost, "/channels/"+testChannel+"/messages", tc.body, true)
			require.Equal(t, http.StatusBadRequest, status)
			assert.EqualValues(t, 50035, body["code"])
			assert.Equal(t, "Invalid Form Body", body["message"])
			assert.NotEmpty(t, errorAt(body, tc.path...), "errors: %v", body["errors"])
		})
	}
	t.Run("six buttons in a row", func(t *testing.T) {
		var bs []any
		for i := range 6 {
			bs = append(bs, map[string]any{"type": 2, "style": 1, "label": "b", "custom_id": string(rune('a' + i))})
		}
		status, body, _ := hit(t, s, http.MethodPost, "/channels/"+testChannel+"/messages",
			map[string]any{"components": []any{map[string]any{"type": 1, "components": bs}}}, true)
		require.Equal(t, http.StatusBadRequest, status)
		assert.NotEmpty(t, errorAt(body, "components", "0", "components"))
	})
	t.Run("empty", func(t *testing.T) {
		status, body, _ := hit(t, s, http.MethodPost, "/channels/"+testChannel+"/messages", map[string]any{"content": ""}, true)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.EqualValues(t, 50006, body["code"])
	})
	t.Run("unknown channel", func(t *testing.T) {
		status, body, _ := hit(t, s, http.MethodPost, "/channels/1/messages", map[string]any{"content": "x"}, true)
		assert.Equal(t, http.StatusNotFound, status)
		assert.EqualValues(t, 10003, body["code"])
	})
	t.Run("invalid JSON", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, s.APIBase()+"/channels/"+testChannel+"/messages", strings.NewReader("{"))
		req.Header.Set("Authorization", "Bot "+s.Token())
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
	assert.Empty(t, s.Messages(testChannel), "nothing invalid was stored")
}

func TestChannelMessagesThroughDiscordgo(t *testing.T) {
	t.Parallel()
	s := New(t, WithChannel(testGuild, testChannel))
	dg := restSession(t, s)
	m, err := dg.ChannelMessageSendComplex(testChannel, &discordgo.MessageSend{
		Content:         "console log",
		AllowedMentions: &discordgo.MessageAllowedMentions{},
		Files:           []*discordgo.File{{Name: "latest.log", ContentType: "text/plain", Reader: bytes.NewReader([]byte("line1\nline2"))}},
		Embeds:          []*discordgo.MessageEmbed{{Title: "t", Fields: []*discordgo.MessageEmbedField{{Name: "a", Value: "b"}}}},
	})
	require.NoError(t, err)
	require.Len(t, m.Attachments, 1)
	assert.Equal(t, "latest.log", m.Attachments[0].Filename)

	got, ok := s.Message(m.ID)
	require.True(t, ok)
	require.Len(t, got.Files, 1)
	assert.Equal(t, "line1\nline2", string(got.Files[0].Data))
	assert.Equal(t, "files[0]", got.Files[0].Field)
	assert.True(t, got.PingsNobody())
	require.Len(t, got.Embeds, 1)
	assert.Equal(t, "a", got.Embeds[0].Fields[0].Name)

	_, err = dg.ChannelMessageEdit(testChannel, m.ID, "edited")
	require.NoError(t, err)
	got, _ = s.Message(m.ID)
	assert.Equal(t, "edited", got.Content)
	assert.Len(t, got.Files, 1, "edits keep attachments unless told otherwise")

	_, err = dg.ChannelMessageEdit(testChannel, m.ID, strings.Repeat("x", 2001))
	_, code := restCode(t, err)
	assert.Equal(t, 50035, code)

	assert.Len(t, s.WaitMessages(t, testChannel, 1), 1)
	user := s.DispatchMessageCreate(UserMessage{GuildID: testGuild, ChannelID: testChannel, AuthorID: testUser, Content: "hi"})
	_, err = dg.ChannelMessageEdit(testChannel, user.ID, "hijack")
	_, code = restCode(t, err)
	assert.Equal(t, 50005, code)

	require.NoError(t, dg.ChannelMessageDelete(testChannel, m.ID))
	assert.Len(t, s.Messages(testChannel), 1)
	_, err = dg.ChannelMessage(testChannel, m.ID)
	_, code = restCode(t, err)
	assert.Equal(t, 10008, code)

	plain, err := dg.ChannelMessageSend(testChannel, "ping <@1>")
	require.NoError(t, err)
	got, _ = s.Message(plain.ID)
	assert.Nil(t, got.AllowedMentions)
	assert.False(t, got.PingsNobody(), "no allowed_mentions means mentions ping")
}

func TestAttachmentsOver10MiB(t *testing.T) {
	t.Parallel()
	s := New(t, WithChannel(testGuild, testChannel))
	dg := restSession(t, s)
	_, err := dg.ChannelMessageSendComplex(testChannel, &discordgo.MessageSend{
		Files: []*discordgo.File{
			{Name: "a.bin", Reader: bytes.NewReader(make([]byte, 6<<20))},
			{Name: "b.bin", Reader: bytes.NewReader(make([]byte, 5<<20))},
		},
	})
	status, code := restCode(t, err)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Equal(t, 40005, code)
	req := s.WaitRequest(t, patience, Route(http.MethodPost, "/channels/{}/messages"))
	assert.Len(t, req.Files, 2, "the attempt is recorded with its files")
}

func TestInteractionCallbackValidation(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild))
	dg := restSession(t, s)
	_, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)
	i := s.Command(member(0), "status", Value("server", "x"))
	p := s.Dispatch(t, i)
	di := &discordgo.Interaction{ID: i.ID, Token: i.Token, AppID: s.AppID()}

	err = dg.InteractionRespond(&discordgo.Interaction{ID: i.ID, Token: "wrong"}, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: "x"}})
	_, code := restCode(t, err)
	assert.Equal(t, 10062, code, "token must match")
	err = dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: &discordgo.InteractionResponseData{Content: "x"}})
	_, code = restCode(t, err)
	assert.Equal(t, 50035, code, "a command cannot update a message")
	err = dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: strings.Repeat("x", 2001)}})
	status, code := restCode(t, err)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, 50035, code)
	err = dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{}})
	_, code = restCode(t, err)
	assert.Equal(t, 50006, code)
	acked, _ := p.Acknowledged()
	assert.False(t, acked, "refused callbacks do not acknowledge")

	require.NoError(t, dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{
		Content: "ok", Flags: discordgo.MessageFlagsEphemeral,
	}}))
	acked, typ := p.Acknowledged()
	assert.True(t, acked)
	assert.Equal(t, 4, typ)
	var resp discordgo.InteractionResponse
	ok := s.WaitRequest(t, patience, func(r Request) bool {
		return r.Route == "/interactions/{}/{}/callback" && r.Status == http.StatusNoContent
	})
	require.NoError(t, ok.Decode(&resp))
	assert.Equal(t, "ok", resp.Data.Content)
	require.NoError(t, dg.InteractionResponseDelete(di))
	orig, found := p.Original()
	assert.True(t, found)
	assert.True(t, orig.Deleted)
	_, err = dg.InteractionResponseEdit(di, &discordgo.WebhookEdit{Content: ptr("gone")})
	_, code = restCode(t, err)
	assert.Equal(t, 10008, code)
}

func TestOptionsValidated(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]Option{
		"token with space": WithToken("Bot abc"),
		"app id":           WithAppID("app"),
		"guild":            WithGuild(""),
		"channel":          WithChannel("1", "general"),
		"bucket":           WithChannelBucket(0, time.Second),
		"heartbeat":        WithHeartbeatInterval(0),
		"clock":            WithClock(nil),
		"privileged":       WithPrivilegedIntents(IntentGuilds),
		"bot user":         WithBotUser("x", ""),
	} {
		rec := &fatalRecorder{TB: t}
		assert.Nil(t, New(rec, opt), name)
		assert.NotEmpty(t, rec.msg, name)
	}
	s := New(t, WithToken("abc"), WithAppID("42"), WithBotUser("43", "bot"))
	assert.Equal(t, "abc", s.Token())
	assert.Equal(t, "42", s.AppID())
	assert.Equal(t, "43", s.BotUserID())
	assert.True(t, strings.HasSuffix(s.APIBase(), "/api/v10"))
}

func TestOwnReactions(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel))
	dg := restSession(t, s)
	m, err := dg.ChannelMessageSend(testChannel, "hello")
	require.NoError(t, err)
	require.NoError(t, dg.MessageReactionAdd(testChannel, m.ID, "✅"))
	require.NoError(t, dg.MessageReactionAdd(testChannel, m.ID, "✅"), "reacting twice is fine, as on Discord")
	got, ok := s.Message(m.ID)
	require.True(t, ok)
	assert.Equal(t, []string{"✅"}, got.Reactions)

	err = dg.MessageReactionAdd(testChannel, "999999999999999999", "✅")
	status, code := restCode(t, err)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, 10008, code)
}

func TestWithoutBodiesKeepsOnlyMetadata(t *testing.T) {
	t.Parallel()
	s := New(t, WithChannel(testGuild, testChannel), WithoutBodies())
	dg := restSession(t, s)
	m, err := dg.ChannelMessageSendComplex(testChannel, &discordgo.MessageSend{
		Content:         "console log",
		AllowedMentions: &discordgo.MessageAllowedMentions{},
		Files:           []*discordgo.File{{Name: "latest.log", ContentType: "text/plain", Reader: bytes.NewReader([]byte("line1"))}},
	})
	require.NoError(t, err)
	got, ok := s.Message(m.ID)
	require.True(t, ok)
	assert.Empty(t, got.Content)
	require.Len(t, got.Files, 1)
	assert.Equal(t, "latest.log", got.Files[0].Name)
	assert.Nil(t, got.Files[0].Data)
	reqs := s.Requests()
	require.NotEmpty(t, reqs)
	assert.Nil(t, reqs[len(reqs)-1].Body)

	_, err = dg.ChannelMessageSendComplex(testChannel, &discordgo.MessageSend{Content: strings.Repeat("x", 2001),
		AllowedMentions: &discordgo.MessageAllowedMentions{}})
	require.Error(t, err, "bodies are still checked before they are forgotten")
}
