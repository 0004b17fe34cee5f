package commands

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

var _ Session = (*discordgo.Session)(nil)
var _ Panels = (*panel.Registry)(nil)

const (
	roleViewer   = "100000000000000001"
	roleOperator = "100000000000000002"
	roleAdmin    = "100000000000000003"
	userViewer   = "200000000000000001"
	userOperator = "200000000000000002"
	userAdmin    = "200000000000000003"
	userNobody   = "200000000000000004"
	auditChannel = "300000000000000001"
	// interactionToken is a credential for 15 minutes: it must never be logged.
	interactionToken = "aW50ZXJhY3Rpb246OTAwMDAwMDAwMDAwMDAwMDAx"
)

// call is one request the router made to Discord.
type call struct {
	method  string // respond, edit, delete, followup, send
	resp    *discordgo.InteractionResponse
	edit    *discordgo.WebhookEdit
	params  *discordgo.WebhookParams
	msg     *discordgo.MessageSend
	channel string
}

// fakeSession records calls; the Fn fields inject failures and notify, when
// set, hears each method name as it happens.
type fakeSession struct {
	mu        sync.Mutex
	calls     []call
	notify    chan string
	RespondFn func(*discordgo.InteractionResponse) error
	DeleteFn  func() error
}

func (f *fakeSession) record(c call) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	if f.notify != nil {
		f.notify <- c.method
	}
}

func (f *fakeSession) InteractionRespond(_ *discordgo.Interaction, resp *discordgo.InteractionResponse, _ ...discordgo.RequestOption) error {
	f.record(call{method: "respond", resp: resp})
	if f.RespondFn != nil {
		return f.RespondFn(resp)
	}
	return nil
}
func (f *fakeSession) InteractionResponseEdit(_ *discordgo.Interaction, e *discordgo.WebhookEdit, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.record(call{method: "edit", edit: e})
	return &discordgo.Message{}, nil
}
func (f *fakeSession) InteractionResponseDelete(_ *discordgo.Interaction, _ ...discordgo.RequestOption) error {
	f.record(call{method: "delete"})
	if f.DeleteFn != nil {
		return f.DeleteFn()
	}
	return nil
}
func (f *fakeSession) FollowupMessageCreate(_ *discordgo.Interaction, _ bool, p *discordgo.WebhookParams, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.record(call{method: "followup", params: p})
	return &discordgo.Message{}, nil
}
func (f *fakeSession) ChannelMessageSendComplex(ch string, m *discordgo.MessageSend, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.record(call{method: "send", msg: m, channel: ch})
	return &discordgo.Message{}, nil
}

func (f *fakeSession) all() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func (f *fakeSession) methods() []string {
	var ms []string
	for _, c := range f.all() {
		ms = append(ms, c.method)
	}
	return ms
}

// answers are the calls about the interaction, without audit posts.
func (f *fakeSession) answers() []call {
	var out []call
	for _, c := range f.all() {
		if c.method != "send" {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSession) sends() []call {
	var out []call
	for _, c := range f.all() {
		if c.method == "send" {
			out = append(out, c)
		}
	}
	return out
}

// clock is an injectable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// powerCall is one signal the fake panel received.
type powerCall struct {
	id  string
	sig panel.Signal
}

type env struct {
	t      *testing.T
	client *paneltest.Client
	reg    *panel.Registry
	router *Router
	sess   *fakeSession
	clock  *clock
	logs   *bytes.Buffer

	mu       sync.Mutex
	powers   []powerCall
	commands []string
}

func (e *env) powerCalls() []powerCall {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]powerCall(nil), e.powers...)
}

func (e *env) commandCalls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.commands...)
}

func testServers() []panel.Server {
	return []panel.Server{
		{ID: "abc123", Name: "Survival", Limits: panel.Limits{MemoryMB: 2048, DiskMB: 10240, CPUPercent: 200}},
		{ID: "def456", Name: "Creative"},
	}
}

func testRules() acl.Rules {
	return acl.Rules{
		ViewerRoles:   []string{roleViewer},
		OperatorRoles: []string{roleOperator},
		AdminRoles:    []string{roleAdmin},
	}
}

// setup builds a router over a real registry holding one fake panel "main",
// with an audit channel; mutate cfg to change defaults. Every payload sent to
// Discord is checked against Discord's limits when the test ends.
func setup(t *testing.T, mutate ...func(*Config, *paneltest.Client)) *env {
	t.Helper()
	e := &env{t: t, sess: &fakeSession{}, clock: &clock{now: time.Unix(1_700_000_000, 0)}, logs: &bytes.Buffer{}}
	e.client = &paneltest.Client{
		FeatureSet: panel.Features(panel.FeatureResources | panel.FeatureCommand),
		ServersFn:  func(context.Context) ([]panel.Server, error) { return testServers(), nil },
		ResourcesFn: func(context.Context, string) (panel.Resources, error) {
			return panel.Resources{State: panel.StateRunning, Live: true, Uptime: time.Hour, CPUPercent: 12.5,
				MemoryBytes: 512 << 20, MemoryLimitBytes: 2 << 30, DiskBytes: 1 << 30}, nil
		},
		PowerFn: func(_ context.Context, id string, s panel.Signal) error {
			e.mu.Lock()
			e.powers = append(e.powers, powerCall{id, s})
			e.mu.Unlock()
			return nil
		},
		CommandFn: func(_ context.Context, _ string, c string) error {
			e.mu.Lock()
			e.commands = append(e.commands, c)
			e.mu.Unlock()
			return nil
		},
	}
	e.reg = panel.NewRegistry(panel.WithClock(e.clock.Now))
	require.NoError(t, e.reg.Add("main", e.client, nil))
	policy, err := acl.New(testRules())
	require.NoError(t, err)
	cfg := Config{
		Panels: e.reg, ACL: policy, AuditChannelID: auditChannel, Now: e.clock.Now,
		DeferAfter: maxDeferAfter, Log: newTestLogger(e.logs),
	}
	for _, m := range mutate {
		m(&cfg, e.client)
	}
	e.router, err = New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		checkPayloads(t, e.sess.all())
		assert.NotContains(t, e.logs.String(), interactionToken)
	})
	return e
}

// handle runs one interaction to completion.
func (e *env) handle(i *discordgo.Interaction) {
	e.router.Handle(context.Background(), e.sess, i)
}

func memberOf(userID string, roles ...string) *discordgo.Member {
	return &discordgo.Member{User: &discordgo.User{ID: userID, Username: "user" + userID[len(userID)-1:]}, Roles: roles}
}

func viewer() *discordgo.Member   { return memberOf(userViewer, roleViewer) }
func operator() *discordgo.Member { return memberOf(userOperator, roleOperator) }
func admin() *discordgo.Member    { return memberOf(userAdmin, roleAdmin) }

func opt(name string, value any) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

func slash(m *discordgo.Member, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return &discordgo.Interaction{
		ID: "900000000000000001", AppID: "900000000000000002", Token: interactionToken, GuildID: "900000000000000003",
		Type:   discordgo.InteractionApplicationCommand,
		Member: m,
		Data:   discordgo.ApplicationCommandInteractionData{Name: name, Options: opts},
	}
}

// click is a button press; ephemeral says whether the clicked message was.
func click(m *discordgo.Member, customID string, ephemeral bool) *discordgo.Interaction {
	msg := &discordgo.Message{ID: "900000000000000004"}
	if ephemeral {
		msg.Flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.Interaction{
		ID: "900000000000000005", AppID: "900000000000000002", Token: interactionToken, GuildID: "900000000000000003",
		Type:    discordgo.InteractionMessageComponent,
		Member:  m,
		Message: msg,
		Data:    discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent},
	}
}

// only returns the single interaction answer, failing otherwise.
func only(t *testing.T, s *fakeSession) call {
	t.Helper()
	as := s.answers()
	require.Len(t, as, 1, "answers: %v", s.methods())
	return as[0]
}

// text is the content of a direct response.
func text(t *testing.T, c call) string {
	t.Helper()
	require.NotNil(t, c.resp, c.method)
	require.NotNil(t, c.resp.Data)
	return c.resp.Data.Content
}

func assertEphemeral(t *testing.T, c call) {
	t.Helper()
	require.NotNil(t, c.resp)
	require.NotNil(t, c.resp.Data)
	assert.NotZero(t, c.resp.Data.Flags&discordgo.MessageFlagsEphemeral, "not ephemeral: %q", c.resp.Data.Content)
}

// chars counts as Discord's text limits do: in characters. Custom IDs and
// choice values are held to their limits in bytes, as the code builds them.
func chars(s string) int { return utf8.RuneCountInString(s) }

// checkPayloads holds every payload to Discord's limits and to "ping nobody".
func checkPayloads(t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		switch {
		case c.resp != nil && c.resp.Type == discordgo.InteractionApplicationCommandAutocompleteResult:
			checkChoices(t, c.resp.Data)
		case c.resp != nil && c.resp.Data != nil:
			checkMessage(t, c.resp.Data.Content, c.resp.Data.Embeds, c.resp.Data.Components, c.resp.Data.AllowedMentions)
		case c.edit != nil:
			checkMessage(t, *c.edit.Content, *c.edit.Embeds, *c.edit.Components, c.edit.AllowedMentions)
		case c.params != nil:
			checkMessage(t, c.params.Content, c.params.Embeds, c.params.Components, c.params.AllowedMentions)
		case c.msg != nil:
			checkMessage(t, c.msg.Content, c.msg.Embeds, c.msg.Components, c.msg.AllowedMentions)
		}
	}
}

func checkChoices(t *testing.T, d *discordgo.InteractionResponseData) {
	require.NotNil(t, d)
	assert.LessOrEqual(t, len(d.Choices), maxAutocomplete)
	for _, c := range d.Choices {
		assert.NotEmpty(t, c.Name)
		assert.LessOrEqual(t, chars(c.Name), maxChoiceName)
		v, ok := c.Value.(string)
		assert.True(t, ok)
		assert.LessOrEqual(t, len(v), maxChoiceValue)
	}
}

func checkMessage(t *testing.T, content string, embeds []*discordgo.MessageEmbed, comps []discordgo.MessageComponent, am *discordgo.MessageAllowedMentions) {
	t.Helper()
	require.NotNil(t, am, "allowed_mentions missing")
	assert.NotNil(t, am.Parse, "allowed_mentions.parse must be [] not null")
	assert.Empty(t, am.Parse)
	assert.Empty(t, am.Roles)
	assert.Empty(t, am.Users)
	assert.LessOrEqual(t, chars(content), maxContent)
	assert.LessOrEqual(t, len(embeds), maxEmbeds)
	total := 0
	for _, e := range embeds {
		assert.LessOrEqual(t, chars(e.Title), maxEmbedTitle)
		assert.LessOrEqual(t, chars(e.Description), maxEmbedDesc)
		assert.LessOrEqual(t, len(e.Fields), 25)
		total += chars(e.Title) + chars(e.Description)
		for _, f := range e.Fields {
			assert.LessOrEqual(t, chars(f.Name), maxFieldName)
			assert.LessOrEqual(t, chars(f.Value), maxFieldValue)
			assert.NotEmpty(t, f.Value)
			total += chars(f.Name) + chars(f.Value)
		}
		if e.Footer != nil {
			assert.LessOrEqual(t, chars(e.Footer.Text), maxFooter)
			total += chars(e.Footer.Text)
		}
	}
	assert.LessOrEqual(t, total, maxEmbedTotal)
	assert.LessOrEqual(t, len(comps), maxActionRows)
	for _, row := range comps {
		r, ok := row.(discordgo.ActionsRow)
		require.True(t, ok)
		assert.LessOrEqual(t, len(r.Components), maxButtonsPerRow)
		for _, b := range r.Components {
			btn, ok := b.(discordgo.Button)
			require.True(t, ok)
			assert.LessOrEqual(t, len(btn.CustomID), maxCustomIDLen)
			assert.LessOrEqual(t, chars(btn.Label), maxButtonLabel)
			_, err := parseCustomID(btn.CustomID)
			assert.NoError(t, err, btn.CustomID)
		}
	}
}

// buttons lists the custom IDs in a set of components.
func buttons(comps []discordgo.MessageComponent) []string {
	var ids []string
	for _, row := range comps {
		if r, ok := row.(discordgo.ActionsRow); ok {
			for _, b := range r.Components {
				if btn, ok := b.(discordgo.Button); ok {
					ids = append(ids, btn.CustomID)
				}
			}
		}
	}
	return ids
}
