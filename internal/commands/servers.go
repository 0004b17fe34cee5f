package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
)

// Budgets for /servers: the list's text must fit Discord's 6000-character
// total across at most 10 embeds of 4096 each, with room kept for the title,
// footer and the "and N more" line.
const (
	listTitle    = "Servers"
	listLineName = 100 // bytes of a server name shown
	listReserve  = 200 // the "and N more" line and the footer
)

// servers lists every server the member may view.
func (r *Router) servers(ctx context.Context, rq *request) (reply, error) {
	if err := r.acl.CheckAny(rq.member, acl.View); err != nil {
		return reply{}, err
	}
	targets, err := r.panels.Targets(ctx)
	if targets == nil && err != nil {
		return reply{}, err
	}
	note := ""
	if err != nil {
		// Some panels answered: show their servers and say the list is partial.
		r.log.Warn("server list incomplete", r.attrs(rq, "error", err.Error())...)
		note = "Some panels did not answer, so this list may be incomplete."
	}
	var visible []panel.Target
	for _, t := range targets {
		if r.acl.Check(rq.member, acl.View, t.Key()) == nil {
			visible = append(visible, t)
		}
	}
	return reply{embeds: serverEmbeds(visible, multiPanel(visible), note)}, nil
}

func multiPanel(ts []panel.Target) bool {
	for _, t := range ts {
		if t.Panel != ts[0].Panel {
			return true
		}
	}
	return false
}

// serverLine is one server in the list: name, identifier and limits.
func serverLine(t panel.Target, withPanel bool) string {
	id := t.Server.ID
	if withPanel {
		id = t.Key()
	}
	l := t.Server.Limits
	line := fmt.Sprintf("**%s** %s · %s RAM · %s disk · %s CPU",
		escape(orID(t.Server), listLineName), codeSpan(id, maxCustomIDLen),
		limitText(megabytes(l.MemoryMB)), limitText(megabytes(l.DiskMB)), cpuLimitText(l.CPUPercent))
	if t.Server.Suspended {
		line += " · suspended"
	}
	if t.Server.Status != "" {
		line += " · " + escape(t.Server.Status, 40)
	}
	return line
}

func orID(s panel.Server) string {
	if strings.TrimSpace(s.Name) == "" {
		return s.ID
	}
	return s.Name
}

// serverEmbeds packs the lines into embeds within every Discord limit and
// ends with "…and N more" when they do not all fit.
func serverEmbeds(ts []panel.Target, withPanel bool, note string) []*discordgo.MessageEmbed {
	footer := fmt.Sprintf("%d servers", len(ts))
	if len(ts) == 1 {
		footer = "1 server"
	}
	budget := maxEmbedTotal - len(listTitle) - len(footer) - listReserve - len(note)
	descs := []string{}
	if note != "" {
		descs = append(descs, note+"\n")
	}
	if len(ts) == 0 {
		descs = append(descs, "No servers to show: the panel key sees none, or none you may view.")
	}
	shown := 0
	for _, t := range ts {
		line := serverLine(t, withPanel) + "\n"
		if len(line) > budget {
			break
		}
		descs = appendLine(descs, line)
		budget -= len(line)
		shown++
	}
	if more := len(ts) - shown; more > 0 {
		descs = appendLine(descs, fmt.Sprintf("…and %d more. Use /status with a name to see one.", more))
	}
	return packEmbeds(descs, footer)
}

// appendLine adds a line to the last description, or starts a new one when
// the last is full.
func appendLine(descs []string, line string) []string {
	last := len(descs) - 1
	if last >= 0 && len(descs[last])+len(line) <= maxEmbedDesc {
		descs[last] += line
		return descs
	}
	return append(descs, line)
}

func packEmbeds(descs []string, footer string) []*discordgo.MessageEmbed {
	if len(descs) == 0 {
		descs = []string{"No servers to show."}
	}
	if len(descs) > maxEmbeds {
		descs = descs[:maxEmbeds]
	}
	embeds := make([]*discordgo.MessageEmbed, 0, len(descs))
	for _, d := range descs {
		embeds = append(embeds, &discordgo.MessageEmbed{Description: strings.TrimRight(d, "\n"), Color: colourList})
	}
	embeds[0].Title = listTitle
	embeds[len(embeds)-1].Footer = &discordgo.MessageEmbedFooter{Text: footer}
	return embeds
}
