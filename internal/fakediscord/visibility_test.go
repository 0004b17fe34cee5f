package fakediscord

import (
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// visibilityFixture registers the commands and posts a public message with a
// button, as the answer to a slash command.
func visibilityFixture(t *testing.T) (*Server, *discordgo.Session, Message) {
	t.Helper()
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel))
	dg := restSession(t, s)
	_, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)
	i := s.Command(member(0), "status", Value("server", "mc1"))
	p := s.Dispatch(t, i)
	require.NoError(t, dg.InteractionRespond(&discordgo.Interaction{ID: i.ID, Token: i.Token, AppID: s.AppID()},
		&discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{
			Content: "mc1", AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Label: "Stop", CustomID: "stop"},
			}}},
		}}))
	orig, ok := p.Original()
	require.True(t, ok)
	return s, dg, orig
}

// TestVisibilityIsFixedAtCreation: Discord decides who sees a message when
// it (or the deferral it fills) is created; a bot that asks to change that
// later is refused, not silently ignored, so tests catch it.
func TestVisibilityIsFixedAtCreation(t *testing.T) {
	t.Parallel()
	s, dg, public := visibilityFixture(t)
	ephemeral := &discordgo.InteractionResponseData{Content: "private now?", Flags: discordgo.MessageFlagsEphemeral}

	click := s.Button(member(0), public.ID, "stop")
	s.Dispatch(t, click)
	ci := &discordgo.Interaction{ID: click.ID, Token: click.Token, AppID: s.AppID()}
	err := dg.InteractionRespond(ci, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate, Data: ephemeral})
	status, code := restCode(t, err)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, 50035, code, "a type 6 cannot be ephemeral")
	err = dg.InteractionRespond(ci, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: ephemeral})
	_, code = restCode(t, err)
	assert.Equal(t, 50035, code, "a type 7 cannot make a public message private")
	got, _ := s.Message(public.ID)
	assert.False(t, got.Ephemeral())
	require.NoError(t, dg.InteractionRespond(ci, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage,
		Data: &discordgo.InteractionResponseData{Content: "stopping"}}))

	// A public deferral stays public: the follow-up that fills it cannot
	// make it private.
	i := s.Command(member(0), "status", Value("server", "mc1"))
	p := s.Dispatch(t, i)
	di := &discordgo.Interaction{ID: i.ID, Token: i.Token, AppID: s.AppID()}
	require.NoError(t, dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}))
	_, err = dg.FollowupMessageCreate(di, true, &discordgo.WebhookParams{Content: "secret", Flags: discordgo.MessageFlagsEphemeral})
	_, code = restCode(t, err)
	assert.Equal(t, 50035, code)
	orig, _ := p.Original()
	assert.Empty(t, orig.Content, "still thinking")
}

// TestAllowedMentionsAreReadPerRequest: an edit without allowed_mentions
// parses mentions by default, whatever the message was first sent with.
func TestAllowedMentionsAreReadPerRequest(t *testing.T) {
	t.Parallel()
	s, dg, public := visibilityFixture(t)
	require.True(t, public.PingsNobody())
	_, err := dg.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: testChannel, ID: public.ID, Content: ptr("@everyone")})
	require.NoError(t, err)
	got, _ := s.Message(public.ID)
	assert.False(t, got.PingsNobody(), "the edit may ping")
	_, err = dg.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: testChannel, ID: public.ID, Content: ptr("@everyone"),
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}})
	require.NoError(t, err)
	got, _ = s.Message(public.ID)
	assert.True(t, got.PingsNobody())
}

// TestChannelRoutesDoNotSeeEphemeralMessages: an ephemeral answer exists
// only for its interaction, as on Discord.
func TestChannelRoutesDoNotSeeEphemeralMessages(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel))
	dg := restSession(t, s)
	_, err := dg.ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)
	i := s.Command(member(0), "status", Value("server", "mc1"))
	p := s.Dispatch(t, i)
	require.NoError(t, dg.InteractionRespond(&discordgo.Interaction{ID: i.ID, Token: i.Token, AppID: s.AppID()},
		&discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "private", Flags: discordgo.MessageFlagsEphemeral}}))
	orig, ok := p.Original()
	require.True(t, ok)
	_, err = dg.ChannelMessage(testChannel, orig.ID)
	status, code := restCode(t, err)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, 10008, code)
	_, err = dg.ChannelMessageEdit(testChannel, orig.ID, "edited")
	_, code = restCode(t, err)
	assert.Equal(t, 10008, code)
}

// TestPingsRefused: with WithPingsRefused, every message path must carry
// allowed_mentions that ping nobody.
func TestPingsRefused(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel), WithPingsRefused())
	dg := restSession(t, s)
	none := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

	_, err := dg.ChannelMessageSendComplex(testChannel, &discordgo.MessageSend{Content: "hi"})
	_, code := restCode(t, err)
	assert.Equal(t, 50035, code, "no allowed_mentions")
	_, err = dg.ChannelMessageSendComplex(testChannel, &discordgo.MessageSend{Content: "hi",
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeEveryone}}})
	_, code = restCode(t, err)
	assert.Equal(t, 50035, code, "parse: [everyone]")
	m, err := dg.ChannelMessageSendComplex(testChannel, &discordgo.MessageSend{Content: "hi", AllowedMentions: none})
	require.NoError(t, err)
	_, err = dg.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: testChannel, ID: m.ID, Content: ptr("edited")})
	_, code = restCode(t, err)
	assert.Equal(t, 50035, code, "an edit too")

	_, err = dg.ApplicationCommandBulkOverwrite(s.AppID(), testGuild, statusCommands())
	require.NoError(t, err)
	i := s.Command(member(0), "status", Value("server", "mc1"))
	s.Dispatch(t, i)
	di := &discordgo.Interaction{ID: i.ID, Token: i.Token, AppID: s.AppID()}
	err = dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: "x"}})
	_, code = restCode(t, err)
	assert.Equal(t, 50035, code, "a response")
	require.NoError(t, dg.InteractionRespond(di, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}),
		"a deferral is no message")
	_, err = dg.InteractionResponseEdit(di, &discordgo.WebhookEdit{Content: ptr("filled")})
	_, code = restCode(t, err)
	assert.Equal(t, 50035, code, "the edit that fills a deferral")
	_, err = dg.FollowupMessageCreate(di, true, &discordgo.WebhookParams{Content: "filled", AllowedMentions: none})
	require.NoError(t, err)
	_, err = dg.FollowupMessageCreate(di, true, &discordgo.WebhookParams{Content: "more", Flags: discordgo.MessageFlagsEphemeral})
	_, code = restCode(t, err)
	assert.Equal(t, 50035, code, "a follow-up")
}

// TestRoleMentionAllowed: WithRoleMentionAllowed lets exactly the one role
// through WithPingsRefused; any other mention is still refused.
func TestRoleMentionAllowed(t *testing.T) {
	t.Parallel()
	const role, other = "700000000000000001", "700000000000000002"
	s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel), WithPingsRefused(), WithRoleMentionAllowed(role))
	dg := restSession(t, s)
	send := func(am *discordgo.MessageAllowedMentions) int {
		_, err := dg.ChannelMessageSendComplex(testChannel, &discordgo.MessageSend{Content: "<@&" + role + ">", AllowedMentions: am})
		if err == nil {
			return 0
		}
		_, code := restCode(t, err)
		return code
	}
	none := []discordgo.AllowedMentionType{}
	assert.Zero(t, send(&discordgo.MessageAllowedMentions{Parse: none, Roles: []string{role}}))
	assert.Equal(t, 50035, send(&discordgo.MessageAllowedMentions{Parse: none, Roles: []string{other}}), "another role")
	assert.Equal(t, 50035, send(&discordgo.MessageAllowedMentions{Parse: none, Roles: []string{role, other}}), "one more role")
	assert.Equal(t, 50035, send(&discordgo.MessageAllowedMentions{Parse: none, Roles: []string{role}, Users: []string{other}}), "a user")
	assert.Equal(t, 50035, send(&discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeRoles}}), "parse roles")
	assert.Zero(t, send(&discordgo.MessageAllowedMentions{Parse: none}))
	ms := s.Messages(testChannel)
	require.Len(t, ms, 2)
	assert.True(t, ms[0].PingsOnlyRole(role))
	assert.True(t, ms[1].PingsNobody())
}
