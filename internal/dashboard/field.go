package dashboard

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/discordtext"
	"github.com/panelbot/panelbot/internal/panel"
)

// rowField is one server: its state dot and name, then its figures, one
// per line. A figure the panel did not give reads "unavailable", never 0.
func rowField(r Row) *discordgo.MessageEmbedField {
	dot, _, _ := strings.Cut(discordtext.StateText(r.Res.State), " ")
	name := dot + " " + discordtext.Escape(r.Label, labelRunes)
	return &discordgo.MessageEmbedField{Name: name, Value: strings.Join(rowLines(r), "\n"), Inline: true}
}

func rowLines(r Row) []string {
	switch {
	case r.Missing:
		return []string{"no longer on its panel"}
	case r.NoAnswer:
		return []string{"the panel did not answer; figures unavailable"}
	}
	lines := []string{stateWord(r.Res)}
	if r.Players != nil {
		lines = append(lines, playersLine(*r.Players))
	}
	if !r.Res.Live {
		return append(lines, "figures unavailable")
	}
	lines = append(lines, "CPU "+cpu(r), "RAM "+memory(r.Res))
	if r.Res.State == panel.StateRunning {
		lines = append(lines, "up "+discordtext.Duration(r.Res.Uptime))
	}
	return lines
}

// playersLine is "players: 3/20", or "players: unknown".
func playersLine(p Players) string {
	if p.Unknown {
		return "players: unknown"
	}
	return fmt.Sprintf("players: %d/%d", p.Online, p.Max)
}

// stateWord is the state in words, with a suspension made plain.
func stateWord(res panel.Resources) string {
	_, word, _ := strings.Cut(discordtext.StateText(res.State), " ")
	if res.Suspended {
		word += " · suspended"
	}
	return word
}

func cpu(r Row) string {
	s := discordtext.Percent(r.Res.CPUPercent)
	if r.CPULimit > 0 {
		s += fmt.Sprintf(" / %d %%", r.CPULimit)
	}
	return s
}

func memory(res panel.Resources) string {
	s := discordtext.BytesIEC(res.MemoryBytes)
	if res.MemoryLimitBytes > 0 {
		s += " / " + discordtext.BytesIEC(res.MemoryLimitBytes)
	}
	return s
}
