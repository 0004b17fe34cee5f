package alert

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/store"
)

// Poster sends channel messages; *discordgo.Session implements it.
type Poster interface {
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
}

// Embed colours: red for trouble, green for its end.
const (
	colourAlert     = 0xE74C3C
	colourRecovered = 0x2ECC71
)

// Discord is the Notifier that posts to the alert channels.
type Discord struct {
	post Poster
	// role is the one role alerts mention; "" mentions nobody.
	role string
}

// NewDiscord returns a notifier posting through p, mentioning role when
// it is not "".
func NewDiscord(p Poster, role string) *Discord { return &Discord{post: p, role: role} }

var _ Notifier = (*Discord)(nil)

// Notify posts n. The message's allowed_mentions name only the alert role
// (or nothing), so neither the console tail nor a server's name can ping
// anyone: the role mention is the only one the bot ever makes.
func (d *Discord) Notify(ctx context.Context, n Notice) error {
	ms := &discordgo.MessageSend{
		Embeds:          []*discordgo.MessageEmbed{embed(n)},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}
	if d.role != "" {
		ms.Content = "<@&" + d.role + ">"
		ms.AllowedMentions.Roles = []string{d.role}
	}
	if len(n.Tail) > 0 {
		ms.Files = []*discordgo.File{{Name: "console.log", ContentType: "text/plain; charset=utf-8",
			Reader: strings.NewReader(strings.Join(n.Tail, "\n") + "\n")}}
	}
	if _, err := d.post.ChannelMessageSendComplex(n.Channel, ms, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("post %s alert to channel %s: %w", n.Condition, n.Channel, err)
	}
	return nil
}

// embed shows what happened to whom, since when, and the figures.
func embed(n Notice) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Color: colourAlert, Title: clip(title(n.Condition)+": "+n.Subject, 256),
		Description: clip(n.Detail, 4096), Timestamp: n.Since.UTC().Format(time.RFC3339)}
	since := fmt.Sprintf("<t:%d:f> (<t:%d:R>)", n.Since.Unix(), n.Since.Unix())
	e.Fields = []*discordgo.MessageEmbedField{{Name: "Since", Value: since, Inline: true}}
	if n.Recovered {
		e.Color, e.Title = colourRecovered, clip("Recovered: "+n.Subject+" ("+string(n.Condition)+")", 256)
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Recovered", Inline: true,
			Value: fmt.Sprintf("<t:%d:f>, after %s", n.Until.Unix(), n.Until.Sub(n.Since).Round(time.Second))})
	}
	if len(n.Tail) > 0 {
		e.Footer = &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("The last %d console lines are attached.", len(n.Tail))}
	}
	return e
}

// title names each kind of trouble.
func title(k store.AlertCondition) string {
	switch k {
	case Crash:
		return "Crashed"
	case CPU:
		return "CPU high"
	case Memory:
		return "Memory high"
	case Disk:
		return "Disk nearly full"
	case Unreachable:
		return "Unreachable"
	}
	return string(k)
}

// clip keeps s within Discord's limit of n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
