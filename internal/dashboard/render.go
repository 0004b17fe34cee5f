package dashboard

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/discordtext"
	"github.com/panelbot/panelbot/internal/panel"
)

// Discord's limits on one message's embeds, and the layout's own.
const (
	maxEmbeds       = 10
	maxMessageChars = 6000
	// rowsPerEmbed: each embed is coloured by the worst state among its
	// rows, so a small group keeps the colour telling; 12 is four lines of
	// three inline fields.
	rowsPerEmbed = 12
	// labelRunes bounds a server's name (escaping may double it, still far
	// under a field name's 256).
	labelRunes = 80
	// footerReserve is kept free in every message for its footer.
	footerReserve = 120
	title         = "Server status"
)

// Message is one dashboard message: its embeds, in order.
type Message struct {
	Embeds []*discordgo.MessageEmbed
}

// Render lays the rows out over as many messages as they need, each
// within 10 embeds and 6000 characters. Rows keep their order, so a server
// stays where it was from one round to the next.
func Render(h Header, rows []Row) []Message {
	embeds := chunk(rows)
	embeds[0].Title = title
	embeds[0].Description = summary(rows)
	msgs := pack(embeds)
	for i, m := range msgs {
		last := m.Embeds[len(m.Embeds)-1]
		last.Footer = &discordgo.MessageEmbedFooter{Text: footer(h, i, len(msgs))}
	}
	return msgs
}

// chunk groups the rows into embeds of at most rowsPerEmbed fields.
func chunk(rows []Row) []*discordgo.MessageEmbed {
	if len(rows) == 0 {
		return []*discordgo.MessageEmbed{{Color: discordtext.ColourUnknown}}
	}
	var out []*discordgo.MessageEmbed
	for start := 0; start < len(rows); start += rowsPerEmbed {
		group := rows[start:min(start+rowsPerEmbed, len(rows))]
		e := &discordgo.MessageEmbed{Color: discordtext.StateColour(worst(group))}
		for _, r := range group {
			e.Fields = append(e.Fields, rowField(r))
		}
		out = append(out, e)
	}
	return out
}

// pack fills messages with embeds in order, opening a new message when
// the next embed would pass 10 embeds or 6000 characters.
func pack(embeds []*discordgo.MessageEmbed) []Message {
	var out []Message
	chars := 0
	for _, e := range embeds {
		n := embedChars(e)
		if len(out) == 0 || len(out[len(out)-1].Embeds) == maxEmbeds || chars+n > maxMessageChars-footerReserve {
			out = append(out, Message{})
			chars = 0
		}
		last := &out[len(out)-1]
		last.Embeds = append(last.Embeds, e)
		chars += n
	}
	return out
}

// worst is the state that colours a group: offline before in-between
// before unknown before running, so trouble shows from afar.
func worst(rows []Row) panel.State {
	rank := map[panel.State]int{panel.StateRunning: 0, panel.StateUnknown: 1, panel.StateStarting: 2,
		panel.StateStopping: 2, panel.StateOffline: 3}
	w := panel.StateRunning
	for _, r := range rows {
		s := r.Res.State
		if _, ok := rank[s]; !ok {
			s = panel.StateUnknown
		}
		if rank[s] > rank[w] {
			w = s
		}
	}
	return w
}

// summary counts the servers by state.
func summary(rows []Row) string {
	if len(rows) == 0 {
		return "No server to show."
	}
	counts := map[string]int{}
	order := []string{}
	for _, r := range rows {
		t := discordtext.StateText(r.Res.State)
		if counts[t] == 0 {
			order = append(order, t)
		}
		counts[t]++
	}
	parts := make([]string, len(order))
	for i, t := range order {
		parts[i] = fmt.Sprintf("%s: %d", t, counts[t])
	}
	return strings.Join(parts, " · ")
}

func footer(h Header, i, n int) string {
	s := fmt.Sprintf("Dashboard %d · refreshed every %s", h.ID, discordtext.Duration(h.Interval))
	if n > 1 {
		s = fmt.Sprintf("Dashboard %d · part %d of %d · refreshed every %s", h.ID, i+1, n, discordtext.Duration(h.Interval))
	}
	return s
}

// embedChars counts what Discord counts towards a message's 6000.
func embedChars(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	return n
}
