package commands

import (
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/discordtext"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/trunc"
)

// State colours are discordtext's, shared with the status dashboards.
const (
	colourRunning = discordtext.ColourRunning
	colourAmber   = discordtext.ColourAmber
	colourOffline = discordtext.ColourOffline
	colourUnknown = discordtext.ColourUnknown
	colourList    = 0x5865F2
)

const unavailable = "unavailable"

func stateColour(s panel.State) int { return discordtext.StateColour(s) }

func stateText(s panel.State) string { return discordtext.StateText(s) }

// statusEmbed shows what is known about one server. Figures the panel did
// not measure (res.Live false) read "unavailable", never zero; limits the
// panel reports as 0 read "unlimited".
func statusEmbed(t panel.Target, res panel.Resources, now time.Time) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{
		Title:     escape(t.Label(), 120),
		Color:     stateColour(res.State),
		Timestamp: now.UTC().Format(time.RFC3339),
		Footer:    &discordgo.MessageEmbedFooter{Text: trunc.Runes(clean(t.Server.ID+" · panel "+t.Panel), maxFooter)},
	}
	e.Description = statusNotes(t.Server, res)
	l := t.Server.Limits
	e.Fields = []*discordgo.MessageEmbedField{
		field("State", stateText(res.State)),
		field("Uptime", live(res, duration(res.Uptime))),
		field("CPU", live(res, percent(res.CPUPercent))+" / "+cpuLimitText(l.CPUPercent)),
		field("Memory", live(res, bytesIEC(res.MemoryBytes))+" / "+limitText(pick(res.MemoryLimitBytes, l.MemoryMB))),
		field("Disk", live(res, bytesIEC(res.DiskBytes))+" / "+limitText(pick(res.DiskLimitBytes, l.DiskMB))),
		field("Network", live(res, "↓ "+bytesIEC(res.NetworkRxBytes)+" · ↑ "+bytesIEC(res.NetworkTxBytes))),
	}
	return e
}

// statusNotes says what makes the server unusable, if anything.
func statusNotes(s panel.Server, res panel.Resources) string {
	var note string
	if res.Suspended || s.Suspended {
		note = "**Suspended** on the panel: ask the host why. "
	}
	if s.Status != "" {
		note += "Panel status: " + escape(s.Status, 100) + ". "
	}
	if !res.Live {
		note += "Live figures are " + unavailable + " from this panel."
	}
	return trunc.Runes(note, maxEmbedDesc)
}

func field(name, value string) *discordgo.MessageEmbedField {
	return &discordgo.MessageEmbedField{Name: trunc.Runes(name, maxFieldName), Value: trunc.Runes(value, maxFieldValue), Inline: true}
}

// live shows a measured figure, or "unavailable" when the panel measured none.
func live(res panel.Resources, figure string) string {
	if !res.Live {
		return unavailable
	}
	return figure
}

// pick prefers the live limit in bytes and falls back on the listed one in MB.
func pick(liveBytes, listedMB int64) int64 {
	if liveBytes > 0 {
		return liveBytes
	}
	return megabytes(listedMB)
}

// powerButtons is the row under /status. It is left out (ok false) when the
// server's key is too long to fit a custom ID.
func powerButtons(key string) ([]discordgo.MessageComponent, bool) {
	styles := map[panel.Signal]discordgo.ButtonStyle{
		panel.SignalStart: discordgo.SuccessButton, panel.SignalRestart: discordgo.PrimaryButton,
		panel.SignalStop: discordgo.DangerButton, panel.SignalKill: discordgo.DangerButton,
	}
	var row []discordgo.MessageComponent
	for _, sig := range panel.Signals() {
		id, err := customID{verb: verbPower, key: key, signal: sig}.encode()
		if err != nil {
			return nil, false
		}
		row = append(row, discordgo.Button{Label: signalLabel(sig), Style: styles[sig], CustomID: id})
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: row}}, true
}

// signalLabel is the button label and the verb shown to users.
func signalLabel(s panel.Signal) string {
	switch s {
	case panel.SignalStart:
		return "Start"
	case panel.SignalRestart:
		return "Restart"
	case panel.SignalStop:
		return "Stop"
	case panel.SignalKill:
		return "Kill"
	default:
		return "?"
	}
}
