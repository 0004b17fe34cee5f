package commands

import (
	"bytes"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/trunc"
)

// Discord's message limits (see shared/docs/discord.md).
const (
	maxContent         = 2000
	maxEmbeds          = 10
	maxEmbedTitle      = 256
	maxEmbedDesc       = 4096
	maxEmbedTotal      = 6000
	maxFieldName       = 256
	maxFieldValue      = 1024
	maxFooter          = 2048
	maxChoiceName      = 100
	maxChoiceValue     = 100
	maxAutocomplete    = 25
	maxButtonsPerRow   = 5
	maxActionRows      = 5
	maxButtonLabel     = 80
	ephemeralFlag      = discordgo.MessageFlagsEphemeral
	deferredNewMessage = discordgo.InteractionResponseDeferredChannelMessageWithSource
)

// reply is one message a handler answers with. Every payload the bot sends is
// built from a reply by the methods below, which is where allowed mentions
// are switched off: whatever a server name or command says, nobody is pinged.
type reply struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	files      []attachment
	ephemeral  bool
}

// attachment is a file a reply uploads with its message.
type attachment struct {
	name, contentType string
	data              []byte
}

// uploads returns the reply's files for one request, or nil. Each call
// makes fresh readers, so a payload built twice never sends a drained one.
func (r reply) uploads() []*discordgo.File {
	var fs []*discordgo.File
	for _, a := range r.files {
		fs = append(fs, &discordgo.File{Name: a.name, ContentType: a.contentType, Reader: bytes.NewReader(a.data)})
	}
	return fs
}

// noMentions is attached to every message. Parse is an empty, non-nil slice
// so the JSON says "parse": [] rather than null.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func (r reply) flags() discordgo.MessageFlags {
	if r.ephemeral {
		return ephemeralFlag
	}
	return 0
}

// lists returns non-nil slices so that an update clears the old message's
// embeds and buttons instead of leaving them ("[]" rather than null).
func (r reply) lists() ([]*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	embeds, comps := r.embeds, r.components
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	return embeds, comps
}

// data is the payload of an interaction callback (types 4 and 7).
func (r reply) data() *discordgo.InteractionResponseData {
	embeds, comps := r.lists()
	return &discordgo.InteractionResponseData{
		Content:         trunc.Runes(r.content, maxContent),
		Embeds:          embeds,
		Components:      comps,
		AllowedMentions: noMentions(),
		Flags:           r.flags(),
		Files:           r.uploads(),
	}
}

// edit is the payload that replaces @original after a deferral.
func (r reply) edit() *discordgo.WebhookEdit {
	content := trunc.Runes(r.content, maxContent)
	embeds, comps := r.lists()
	return &discordgo.WebhookEdit{
		Content:         &content,
		Embeds:          &embeds,
		Components:      &comps,
		AllowedMentions: noMentions(),
		Files:           r.uploads(),
	}
}

// followup is the payload of a follow-up message.
func (r reply) followup() *discordgo.WebhookParams {
	embeds, comps := r.lists()
	return &discordgo.WebhookParams{
		Content:         trunc.Runes(r.content, maxContent),
		Embeds:          embeds,
		Components:      comps,
		AllowedMentions: noMentions(),
		Flags:           r.flags(),
		Files:           r.uploads(),
	}
}

// send is the payload of a channel message (the audit channel).
func (r reply) send() *discordgo.MessageSend {
	embeds, comps := r.lists()
	return &discordgo.MessageSend{
		Content:         trunc.Runes(r.content, maxContent),
		Embeds:          embeds,
		Components:      comps,
		AllowedMentions: noMentions(),
	}
}

// say is a plain text reply.
func say(content string, ephemeral bool) reply {
	return reply{content: content, ephemeral: ephemeral}
}
