package console

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

type fakeCommander struct {
	mu     sync.Mutex
	sent   []string
	SendFn func(ctx context.Context, command string) error
}

func (c *fakeCommander) Send(ctx context.Context, command string) error {
	c.mu.Lock()
	c.sent = append(c.sent, command)
	c.mu.Unlock()
	if c.SendFn != nil {
		return c.SendFn(ctx, command)
	}
	return nil
}

func (c *fakeCommander) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.sent...)
}

type authFunc func(guildID, userID string, roles []string) bool

func (f authFunc) IsAdmin(guildID, userID string, roles []string) bool {
	return f(guildID, userID, roles)
}

type reactorFunc func(channelID, messageID, emojiID string, options ...discordgo.RequestOption) error

func (f reactorFunc) MessageReactionAdd(channelID, messageID, emojiID string, options ...discordgo.RequestOption) error {
	return f(channelID, messageID, emojiID, options...)
}

const (
	adminID  = "222222222222222222"
	guildID  = "333333333333333333"
	adminRID = "444444444444444444"
)

// onlyAdminRole admits members holding adminRID in guildID.
var onlyAdminRole = authFunc(func(g, _ string, roles []string) bool {
	for _, r := range roles {
		if g == guildID && r == adminRID {
			return true
		}
	}
	return false
})

func message(content string, edit func(*discordgo.Message)) *discordgo.MessageCreate {
	m := &discordgo.Message{
		ID: "555555555555555555", ChannelID: testChannel, GuildID: guildID, Content: content,
		Author: &discordgo.User{ID: adminID}, Member: &discordgo.Member{Roles: []string{adminRID}},
	}
	if edit != nil {
		edit(m)
	}
	return &discordgo.MessageCreate{Message: m}
}

type reaction struct{ channel, message, emoji string }

func commandHarness(t *testing.T, rec *recorder, cmd *fakeCommander, extra ...RelayOption) (*harness, *[]reaction) {
	var mu sync.Mutex
	reactions := &[]reaction{}
	react := reactorFunc(func(c, m, e string, _ ...discordgo.RequestOption) error {
		mu.Lock()
		defer mu.Unlock()
		*reactions = append(*reactions, reaction{c, m, e})
		return nil
	})
	opts := append([]RelayOption{WithCommands(cmd, onlyAdminRole), WithReactor(react)}, extra...)
	h := newHarness(t, rec, nil, opts...)
	synctest.Wait()
	return h, reactions
}

func TestAdminCommandIsSentAndAcknowledged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec, cmd := &recorder{}, &fakeCommander{}
		h, reactions := commandHarness(t, rec, cmd)
		h.relay.HandleMessage(context.Background(), message("  say hello  ", nil))
		synctest.Wait()
		assert.Equal(t, []string{"say hello"}, cmd.got())
		assert.Equal(t, []reaction{{testChannel, "555555555555555555", "✅"}}, *reactions)
		assert.Empty(t, rec.all(), "no reply spam on success")
		h.stop()
	})
}

func TestMessagesThatAreNotCommandsAreIgnored(t *testing.T) {
	cases := map[string]*discordgo.MessageCreate{
		"non-admin":       message("stop", func(m *discordgo.Message) { m.Member.Roles = []string{"999"} }),
		"no member (DM)":  message("stop", func(m *discordgo.Message) { m.Member, m.GuildID = nil, "" }),
		"bot":             message("stop", func(m *discordgo.Message) { m.Author.Bot = true }),
		"system":          message("stop", func(m *discordgo.Message) { m.Author.System = true }),
		"webhook":         message("stop", func(m *discordgo.Message) { m.WebhookID = "1" }),
		"other channel":   message("stop", func(m *discordgo.Message) { m.ChannelID = "777777777777777777" }),
		"empty":           message("   ", nil),
		"pin notice":      message("stop", func(m *discordgo.Message) { m.Type = discordgo.MessageTypeChannelPinnedMessage }),
		"no author":       message("stop", func(m *discordgo.Message) { m.Author = nil }),
		"nil message":     {},
		"non-admin ctrl":  message("a\nb", func(m *discordgo.Message) { m.Member.Roles = nil }),
		"non-admin guild": message("stop", func(m *discordgo.Message) { m.GuildID = "888888888888888888" }),
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec, cmd := &recorder{}, &fakeCommander{}
				h, reactions := commandHarness(t, rec, cmd)
				h.relay.HandleMessage(context.Background(), m)
				synctest.Wait()
				assert.Empty(t, cmd.got())
				assert.Empty(t, *reactions)
				assert.Empty(t, rec.all(), "silence: no reply to what is not an admin's command")
				h.stop()
			})
		})
	}
}

func TestBadCommandsAreRefusedWithAShortReply(t *testing.T) {
	for name, tc := range map[string]struct{ content, reply string }{
		"newline": {"say a\nstop", "Send one command at a time: a command must be a single line."},
		"escape":  {"say \x1b[2J", "The command contains control characters: type plain text only."},
		"nul":     {"say\x00", "The command contains control characters: type plain text only."},
		"bidi":    {"say \u202eabc", "The command contains control characters: type plain text only."},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec, cmd := &recorder{}, &fakeCommander{}
				h, reactions := commandHarness(t, rec, cmd)
				h.relay.HandleMessage(context.Background(), message(tc.content, nil))
				synctest.Wait()
				assert.Empty(t, cmd.got(), "never reaches the node")
				assert.Empty(t, *reactions)
				calls := rec.all()
				require.Len(t, calls, 1)
				assert.Equal(t, "⚠ <@"+adminID+"> command not sent: "+tc.reply, calls[0].content)
				require.NotNil(t, calls[0].mentions)
				assert.Empty(t, calls[0].mentions.Parse, "the reply pings nobody")
				assert.Zero(t, calls[0].flags)
				h.stop()
			})
		})
	}
}

func TestCommandFailureIsExplained(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		cmd := &fakeCommander{SendFn: func(context.Context, string) error {
			return &panel.Error{Class: panel.ErrOffline, Op: "send command"}
		}}
		h, reactions := commandHarness(t, rec, cmd)
		h.relay.HandleMessage(context.Background(), message("say hi", nil))
		synctest.Wait()
		assert.Empty(t, *reactions)
		calls := rec.all()
		require.Len(t, calls, 1)
		assert.Equal(t, "⚠ <@"+adminID+"> command not sent: The server is offline. Start it first, then send the command.", calls[0].content)
		h.stop()
	})
}

func TestCommandPrefix(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec, cmd := &recorder{}, &fakeCommander{}
		h, _ := commandHarness(t, rec, cmd, WithCommandPrefix(">"))
		h.relay.HandleMessage(context.Background(), message("just chatting", nil))
		h.relay.HandleMessage(context.Background(), message("> time set day", nil))
		synctest.Wait()
		assert.Equal(t, []string{"time set day"}, cmd.got())
		h.stop()
	})
}

func TestCommandsDisabledByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		h := newHarness(t, rec, nil)
		h.relay.HandleMessage(context.Background(), message("stop", nil))
		synctest.Wait()
		assert.Empty(t, rec.all())
		h.stop()
	})
}

// The command path must not wait behind the console's queue: with the
// channel's sender stuck in a post and a flood queued, the command still
// reaches the node, and a refusal's reply jumps the backlog.
func TestCommandsWorkDuringAFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec, cmd := &recorder{gate: make(chan struct{})}, &fakeCommander{}
		h, reactions := commandHarness(t, rec, cmd)
		h.lines("first")
		synctest.Wait()
		for range 300 {
			h.lines("flood flood flood flood flood flood flood flood flood flood")
		}
		synctest.Wait()
		h.relay.HandleMessage(context.Background(), message("save-all", nil))
		h.relay.HandleMessage(context.Background(), message("a\nb", nil))
		assert.Equal(t, []string{"save-all"}, cmd.got(), "sent while the sender is blocked")
		assert.Len(t, *reactions, 1)
		close(rec.gate)
		synctest.Wait()
		calls := rec.all()
		require.GreaterOrEqual(t, len(calls), 2)
		assert.Contains(t, calls[1].content[:80], "command not sent", "the reply goes ahead of the backlog")
		h.stop()
	})
}
