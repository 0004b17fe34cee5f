package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console/wings/wingssim"
	"github.com/panelbot/panelbot/internal/fakediscord"
)

const relayChannel = "100000000000000005"

// startRelayBot runs the bot with RELAY_* pointing Survival's console at
// relayChannel, typed commands on, against a Wings node simulator; tweak
// changes the setup further.
func startRelayBot(t *testing.T, tweak ...func(*setup)) (*bot, string) {
	t.Helper()
	b := startBot(t, append([]func(*setup){func(s *setup) {
		s.nodeOpts = []wingssim.Option{wingssim.WithStallTimeout(time.Second)}
		s.dcOpts = append(s.dcOpts, fakediscord.WithChannel(guildID, relayChannel),
			fakediscord.WithPrivilegedIntents(fakediscord.IntentMessageContent))
		s.env["RELAY_CHANNEL_ID"], s.env["RELAY_SERVER"], s.env["RELAY_COMMANDS"] = relayChannel, "survival", "on"
	}}, tweak...)...)
	spec, ok := b.sim.Server(survivalID)
	require.True(t, ok)
	b.node.SetState(spec.UUID, "running")
	require.Eventually(t, func() bool { return b.node.Auths(spec.UUID) > 0 }, 10*time.Second, 5*time.Millisecond,
		"the relay never authenticated; logs:\n%s", b.logs)
	// The node's status after auth success has gone through the relay:
	// the connection is the relay's now (commands typed in the channel go
	// to it), not only the node's.
	relayed(t, b, "Server is running")
	return b, spec.UUID
}

// relayed waits until the relay channel shows text.
func relayed(t *testing.T, b *bot, want string) fakediscord.Message {
	t.Helper()
	var got fakediscord.Message
	require.Eventually(t, func() bool {
		for _, m := range b.dc.Messages(relayChannel) {
			if m.AuthorID == b.dc.BotUserID() && strings.Contains(m.Content, want) {
				got = m
				return true
			}
		}
		return false
	}, 10*time.Second, 5*time.Millisecond, "%q never reached the relay channel; logs:\n%s", want, b.logs)
	return got
}

func TestRelayStreamsTheConsoleSafely(t *testing.T) {
	t.Parallel()
	b, uuid := startRelayBot(t)
	b.node.Emit(uuid, "[12:00:01] Server started", "\x1b[31m@everyone\x1b[0m join <@&200000000000000003> ```now```")
	m := relayed(t, b, "Server started")
	assert.True(t, m.PingsNobody())
	m = relayed(t, b, "everyone")
	assert.True(t, m.PingsNobody(), "a console line can never ping")
	assert.NotContains(t, m.Content, "\x1b", "ANSI stripped")
	assert.Equal(t, 2, strings.Count(m.Content, "```"), "the console's backticks cannot close the block")
}

func TestRelayCommandsFromAdminsOnly(t *testing.T) {
	t.Parallel()
	b, uuid := startRelayBot(t)
	b.dc.DispatchMessageCreate(fakediscord.UserMessage{GuildID: guildID, ChannelID: relayChannel,
		AuthorID: operator.UserID, Roles: operator.Roles, Content: "op me"})
	b.dc.DispatchMessageCreate(fakediscord.UserMessage{GuildID: guildID, ChannelID: relayChannel,
		AuthorID: admin.UserID, Roles: admin.Roles, Content: "say hello"})
	require.Eventually(t, func() bool { return len(b.node.Commands(uuid)) > 0 }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, []string{"say hello"}, b.node.Commands(uuid), "the operator's message is ignored")
	audit := b.dc.WaitMessages(t, auditChannel, 1)
	assert.Contains(t, audit[0].Content, "say hello")
	assert.Contains(t, audit[0].Content, "relay channel")
	assert.True(t, audit[0].PingsNobody())
}

func TestRelayStatsAnswerStatus(t *testing.T) {
	t.Parallel()
	b, uuid := startRelayBot(t)
	b.node.SetUsage(uuid, wingssim.Usage{MemoryBytes: 3 << 30, MemoryLimitBytes: 4 << 30, CPUAbsolute: 42.5})
	b.node.Advance(time.Second) // the node's stats tick
	// The panel's /resources reports another CPU figure (and is cached for
	// a few seconds once asked), so 42.5 can only come from the stream.
	require.Eventually(t, func() bool {
		m := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival"))))
		return strings.Contains(text(m), "42.5")
	}, 10*time.Second, 20*time.Millisecond)
	before := b.sim.Count("GET", "/api/client/servers/"+survivalID+"/resources")
	b.reply(t, b.dispatch(t, b.dc.Command(viewer, "status", fakediscord.Value("server", "survival"))))
	assert.Equal(t, before, b.sim.Count("GET", "/api/client/servers/"+survivalID+"/resources"))
}
