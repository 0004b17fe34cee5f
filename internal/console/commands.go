package console

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/panel"
)

// Commander sends one console command to the server, directly on the
// node's connection (the wings client), never behind the console's queue
// to Discord.
type Commander interface {
	Send(ctx context.Context, command string) error
}

// Authorizer decides who may type console commands: only the bot's admins.
type Authorizer interface {
	IsAdmin(guildID, userID string, roles []string) bool
}

// Reactor adds a reaction to a message. *discordgo.Session satisfies it.
type Reactor interface {
	MessageReactionAdd(channelID, messageID, emojiID string, options ...discordgo.RequestOption) error
}

// HandleMessage treats a message posted in the relay's channel as a console
// command, when commands are enabled and the author is an admin. Everything
// else is ignored without a word: other channels, bots (the bot itself
// included), webhooks, system messages, empty messages, non-admins.
//
// Feedback, chosen because messages cannot be answered ephemerally: a ✅
// reaction when the node took the command (with WithReactor), and a short
// reply in the channel, ahead of the console's backlog, when it was refused
// (a line break or control character, too long) or the node failed. Replies
// ping nobody. It returns once the command is handed to the node or refused.
func (r *Relay) HandleMessage(ctx context.Context, m *discordgo.MessageCreate) {
	cmd, ok := r.commandFrom(m)
	if !ok {
		return
	}
	if err := panel.ValidateCommand(cmd, panel.MaxCommandRunes); err != nil {
		r.reply(m, "command not sent: "+panel.UserMessage(err))
		r.record(ctx, m, cmd, err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, r.cmdTimeout)
	defer cancel()
	err := r.cmd.Send(ctx, cmd)
	r.record(ctx, m, cmd, err)
	if err != nil {
		r.log.Warn("console command failed", "user", m.Author.ID, "err", err)
		r.reply(m, "command not sent: "+panel.UserMessage(err))
		return
	}
	r.log.Info("console command sent", "user", m.Author.ID)
	r.acknowledge(ctx, m)
}

// record hands the attempt to the audit trail, when one is configured.
func (r *Relay) record(ctx context.Context, m *discordgo.MessageCreate, cmd string, err error) {
	if r.audit != nil {
		r.audit(ctx, m, cmd, err)
	}
}

// commandFrom returns the command a message carries, if it is one to act on.
func (r *Relay) commandFrom(m *discordgo.MessageCreate) (string, bool) {
	if r.cmd == nil || !r.addressed(m) {
		return "", false
	}
	text := strings.TrimSpace(m.Content)
	if r.prefix != "" {
		rest, found := strings.CutPrefix(text, r.prefix)
		if !found {
			return "", false
		}
		text = strings.TrimSpace(rest)
	}
	var roles []string
	if m.Member != nil {
		roles = m.Member.Roles
	}
	if text == "" || !r.auth.IsAdmin(m.GuildID, m.Author.ID, roles) {
		return "", false
	}
	return text, true
}

// addressed reports whether a message is a person's ordinary message in
// the relay's channel of a guild.
func (r *Relay) addressed(m *discordgo.MessageCreate) bool {
	if m == nil || m.Message == nil || m.Author == nil {
		return false
	}
	switch msg := m.Message; {
	case msg.ChannelID != r.channelID, msg.GuildID == "",
		msg.Author.Bot, msg.Author.System, msg.WebhookID != "",
		msg.Type != discordgo.MessageTypeDefault && msg.Type != discordgo.MessageTypeReply:
		return false
	}
	return true
}

// reply posts a short answer ahead of the console's backlog.
func (r *Relay) reply(m *discordgo.MessageCreate, text string) {
	s := r.sender.Load()
	if s == nil {
		r.log.Info("console command reply not posted: relay not running", "reply", text)
		return
	}
	s.addUrgent("⚠ <@" + m.Author.ID + "> " + text)
}

// acknowledge reacts ✅ to the command's message; failing to is only logged.
func (r *Relay) acknowledge(ctx context.Context, m *discordgo.MessageCreate) {
	if r.react == nil {
		return
	}
	err := r.react.MessageReactionAdd(m.ChannelID, m.ID, "✅",
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
	if err != nil {
		r.log.Debug("console command reaction failed", "err", err)
	}
}
