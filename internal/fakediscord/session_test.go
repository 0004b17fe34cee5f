package fakediscord

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealSessionFlow drives a real discordgo session through the life of
// a slash command: READY, registration, dispatch, response, follow-up,
// edit, a refused second callback and a button click.
func TestRealSessionFlow(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel))
	dg, got := openSession(t, s, discordgo.IntentsGuilds, false)
	require.NotNil(t, dg.State.User)
	assert.Equal(t, s.BotUserID(), dg.State.User.ID)

	cmds, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)
	require.Len(t, cmds, 2)
	assert.NotEmpty(t, cmds[0].ID)

	p := s.Dispatch(t, s.Command(member(0), "status", Value("server", "mc1"), Value("lines", 10)))
	in := recv(t, got)
	data := in.ApplicationCommandData()
	assert.Equal(t, "status", data.Name)
	assert.Equal(t, "mc1", data.Options[0].StringValue())
	assert.Equal(t, int64(10), data.Options[1].IntValue())
	require.NotNil(t, in.Member)
	assert.Equal(t, testUser, in.Member.User.ID)

	require.NoError(t, dg.InteractionRespond(in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         "mc1 is running <@" + testUser + ">",
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Label: "Restart", CustomID: "power/mc1/restart"},
			}}},
		},
	}))
	assert.Equal(t, http.StatusNoContent, p.Response(t).Status)
	orig, ok := p.Original()
	require.True(t, ok)
	assert.True(t, orig.PingsNobody())
	assert.Equal(t, []string{"power/mc1/restart"}, orig.CustomIDs())

	err = dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	status, code := restCode(t, err)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, 40060, code)

	fu, err := dg.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Content: "details", Flags: discordgo.MessageFlagsEphemeral})
	require.NoError(t, err)
	assert.Equal(t, "details", fu.Content)
	require.Len(t, p.Followups(), 1)
	assert.True(t, p.Followups()[0].Ephemeral())

	edited := "mc1 is stopping"
	_, err = dg.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &edited})
	require.NoError(t, err)
	orig, _ = p.Original()
	assert.Equal(t, edited, orig.Content)
	assert.Equal(t, 1, orig.Edits)
	assert.Equal(t, []string{"power/mc1/restart"}, orig.CustomIDs(), "an edit without components keeps them")

	click := s.Dispatch(t, s.Button(member(0), orig.ID, "power/mc1/restart"))
	ci := recv(t, got)
	assert.Equal(t, "power/mc1/restart", ci.MessageComponentData().CustomID)
	require.NotNil(t, ci.Message)
	assert.Equal(t, orig.ID, ci.Message.ID)
	require.NoError(t, dg.InteractionRespond(ci, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseUpdateMessage,
		Data: &discordgo.InteractionResponseData{Content: "restarting", Components: []discordgo.MessageComponent{}},
	}))
	clicked, _ := click.Original()
	assert.Equal(t, "restarting", clicked.Content)
	assert.Empty(t, clicked.CustomIDs())
	assert.Zero(t, s.InvalidRequests())
}

// TestGatewayDropIsResumed cuts the connection, queues an interaction
// while it is down and expects discordgo to RESUME and receive it.
func TestGatewayDropIsResumed(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel))
	dg, got := openSession(t, s, discordgo.IntentsGuilds, true)
	_, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)

	s.DropGateway()
	p := s.Dispatch(t, s.Command(member(0), "status", Value("server", "mc1")))
	in := recv(t, got)
	assert.Equal(t, p.ID, in.ID)
	// Two heartbeats: one per connection, so Close cannot race the new one.
	st := s.WaitGateway(t, func(g GatewayStats) bool { return g.Resumes == 1 && g.Live && g.Heartbeats >= 2 })
	assert.Equal(t, 1, st.Identifies, "a resume, not a new session")

	require.NoError(t, dg.InteractionRespond(in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}))
	orig, _ := p.Original()
	assert.Equal(t, FlagEphemeral|flagLoading, orig.Flags, "thinking")
	_, err = dg.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Content: "done"})
	require.NoError(t, err)
	orig, _ = p.Original()
	assert.Equal(t, "done", orig.Content, "the first follow-up after a defer fills the original")
	assert.Equal(t, FlagEphemeral, orig.Flags)
}

// TestReconnectOpcode sends op 7 and expects a RESUME.
func TestReconnectOpcode(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild))
	openSession(t, s, discordgo.IntentsGuilds, true)
	require.True(t, s.SendReconnect())
	st := s.WaitGateway(t, func(g GatewayStats) bool { return g.Resumes == 1 && g.Live && g.Heartbeats >= 2 })
	assert.Equal(t, 2, st.Connections)
	assert.Equal(t, 1, st.Identifies)
}

// TestMessageContentIntent shows what a relay sees: nothing without
// GUILD_MESSAGES, blank text without MESSAGE_CONTENT, its own echoes.
func TestMessageContentIntent(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel), WithPrivilegedIntents(IntentMessageContent))
	dg := restSession(t, s)
	dg.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages
	msgs := make(chan *discordgo.Message, 8)
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { msgs <- m.Message })
	open(t, s, dg, false)

	s.DispatchMessageCreate(UserMessage{GuildID: testGuild, ChannelID: testChannel, AuthorID: testUser, Content: "say hi"})
	m := recv(t, msgs)
	assert.Equal(t, "", m.Content, "no MESSAGE_CONTENT intent requested")
	assert.Equal(t, testUser, m.Author.ID)
	s.DispatchMessageCreate(UserMessage{GuildID: testGuild, ChannelID: testChannel, AuthorID: testUser, Content: "hey bot", MentionsBot: true})
	assert.Equal(t, "hey bot", recv(t, msgs).Content, "mentions carry content")

	_, err := dg.ChannelMessageSend(testChannel, "from the bot")
	require.NoError(t, err)
	echo := recv(t, msgs)
	assert.Equal(t, s.BotUserID(), echo.Author.ID)
	assert.True(t, echo.Author.Bot)
}

func TestWrongTokenIsRefusedAtIdentify(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := restSession(t, s)
	dg.Identify.Token = "Bot not-the-token"
	err := dg.Open()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "4004")
	assert.NotContains(t, err.Error(), s.Token())
}

func TestPrivilegedIntentRefused(t *testing.T) {
	t.Parallel()
	s := New(t)
	dg := restSession(t, s)
	dg.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentMessageContent
	err := dg.Open()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "4014")
}

// TestChannelBucketWaitedOut exhausts a 1-per-200ms bucket, then lets
// discordgo hit the 429 and wait it out by itself.
func TestChannelBucketWaitedOut(t *testing.T) {
	t.Parallel()
	s := New(t, WithChannel(testGuild, testChannel), WithChannelBucket(1, 200*time.Millisecond))
	dg := restSession(t, s)
	status, _, hdr := hit(t, s, http.MethodPost, "/channels/"+testChannel+"/messages", map[string]any{"content": "a"}, true)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "0", hdr.Get("X-RateLimit-Remaining"))
	assert.Equal(t, "1", hdr.Get("X-RateLimit-Limit"))
	assert.NotEmpty(t, hdr.Get("X-RateLimit-Bucket"))

	start := time.Now()
	_, err := dg.ChannelMessageSend(testChannel, "b")
	require.NoError(t, err)
	assert.Equal(t, 1, s.RateLimited())
	_, err = dg.ChannelMessageSend(testChannel, "c")
	require.NoError(t, err)
	assert.Equal(t, 1, s.RateLimited(), "discordgo read the headers and waited instead of hitting 429 again")
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	assert.Len(t, s.Messages(testChannel), 3)

	limited := s.WaitRequest(t, patience, func(r Request) bool { return r.Status == http.StatusTooManyRequests })
	assert.Contains(t, string(limited.Response), `"global":false`)
}

func TestRateLimitNextForced(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.RateLimitNext(Route(http.MethodGet, "/users/@me"), 1, 50*time.Millisecond)
	status, body, hdr := hit(t, s, http.MethodGet, "/users/@me", nil, true)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "You are being rate limited.", body["message"])
	assert.Equal(t, 0.05, body["retry_after"])
	assert.Equal(t, "user", hdr.Get("X-RateLimit-Scope"))
	assert.Equal(t, "1", hdr.Get("Retry-After"))
	assert.Empty(t, hdr.Get("X-RateLimit-Global"))

	u, err := restSession(t, s).User("@me")
	require.NoError(t, err)
	assert.Equal(t, s.BotUserID(), u.ID)
	assert.Equal(t, 1, s.RateLimited())
}

// TestLateCallbackRefused answers after 3 s of fake time.
func TestLateCallbackRefused(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	s := New(t, WithGuild(testGuild), WithClock(clock))
	dg := restSession(t, s)
	_, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)
	i := s.Command(member(0), "status", Value("server", "x"))
	p := s.Dispatch(t, i)
	clock.Advance(3*time.Second + time.Millisecond)
	err = dg.InteractionRespond(&discordgo.Interaction{ID: i.ID, Token: i.Token, AppID: s.AppID()},
		&discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "late"}})
	status, code := restCode(t, err)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, 10062, code)
	acked, _ := p.Acknowledged()
	assert.False(t, acked)
	assert.Equal(t, http.StatusNotFound, p.Response(t).Status)
}

// TestFollowupTokenExpires checks the 15-minute token life.
func TestFollowupTokenExpires(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	s := New(t, WithGuild(testGuild), WithClock(clock))
	dg := restSession(t, s)
	_, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)
	i := s.Command(member(0), "status", Value("server", "x"))
	s.Dispatch(t, i)
	di := &discordgo.Interaction{ID: i.ID, Token: i.Token, AppID: s.AppID()}
	_, err = dg.FollowupMessageCreate(di, true, &discordgo.WebhookParams{Content: "too early"})
	_, code := restCode(t, err)
	assert.Equal(t, 10015, code, "no follow-up before the interaction is answered")
	require.NoError(t, dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}))
	clock.Advance(15*time.Minute + time.Second)
	_, err = dg.FollowupMessageCreate(di, true, &discordgo.WebhookParams{Content: "too late"})
	status, code := restCode(t, err)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, 50027, code)
}

func TestAutocompleteCallbackRules(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild))
	dg := restSession(t, s)
	_, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)
	i := s.Autocomplete(member(0), "status", Focus("server", "mc"))
	s.Dispatch(t, i)
	di := &discordgo.Interaction{ID: i.ID, Token: i.Token, AppID: s.AppID()}

	err = dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	_, code := restCode(t, err)
	assert.Equal(t, 50035, code, "autocomplete cannot be deferred")
	var many []*discordgo.ApplicationCommandOptionChoice
	for n := range 26 {
		many = append(many, &discordgo.ApplicationCommandOptionChoice{Name: "mc" + strings.Repeat("x", n), Value: "v"})
	}
	err = dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &discordgo.InteractionResponseData{Choices: many}})
	_, code = restCode(t, err)
	assert.Equal(t, 50035, code, "26 choices")
	require.NoError(t, dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &discordgo.InteractionResponseData{Choices: many[:25]}}))
	_, err = dg.FollowupMessageCreate(di, true, &discordgo.WebhookParams{Content: "more"})
	_, code = restCode(t, err)
	assert.Equal(t, 10015, code, "an autocomplete answer has nothing to follow up")
	_, err = dg.InteractionResponseEdit(di, &discordgo.WebhookEdit{Content: ptr("edit")})
	_, code = restCode(t, err)
	assert.Equal(t, 10015, code)
}
