package commands

import (
	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/chart"
	"github.com/panelbot/panelbot/internal/panel"
)

// Command and option names; the router dispatches on them.
const (
	cmdServers = "servers"
	cmdStatus  = "status"
	cmdPower   = "power"
	cmdCmd     = "cmd"
	cmdHistory = "history"

	optServer  = "server"
	optAction  = "action"
	optCommand = "command"
	optRange   = "range"
)

// Definitions returns the slash commands, for one bulk overwrite at start-up
// (ApplicationCommandBulkOverwrite). They are guild-only: access rules come
// from guild roles, which DMs do not have. Who may use them is decided by
// the acl package, not by default_member_permissions, which is left for the
// guild's own admins to tighten in the Integrations settings.
func Definitions() []*discordgo.ApplicationCommand {
	return []*discordgo.ApplicationCommand{
		command(cmdServers, "List the game servers the bot can see, with their limits."),
		command(cmdStatus, "Show a server's state, uptime and usage, with power buttons.", serverOption()),
		command(cmdPower, "Start, stop, restart or kill a server.", serverOption(), actionOption()),
		command(cmdCmd, "Send one command to a server's console.", serverOption(), commandOption()),
		command(cmdHistory, "Chart a server's CPU and memory over the last hour, day or week.", serverOption(), rangeOption()),
		dashboardCommand(),
		helpCommand(),
		scheduleCommand(),
	}
}

func command(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
	no := false
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	installs := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	if opts == nil {
		// "options": [] rather than null.
		opts = []*discordgo.ApplicationCommandOption{}
	}
	cmd := &discordgo.ApplicationCommand{
		Type:             discordgo.ChatApplicationCommand,
		Name:             name,
		Description:      desc,
		Contexts:         &contexts,
		IntegrationTypes: &installs,
		Options:          opts,
	}
	// dm_permission is deprecated in favour of contexts, but clients that
	// predate contexts still read it.
	//lint:ignore SA1019 kept next to Contexts for older clients
	cmd.DMPermission = &no
	return cmd
}

func serverOption() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{
		Type:         discordgo.ApplicationCommandOptionString,
		Name:         optServer,
		Description:  "The server: pick from the list, or type its name or identifier.",
		Required:     true,
		Autocomplete: true,
		MaxLength:    maxChoiceValue,
	}
}

func actionOption() *discordgo.ApplicationCommandOption {
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, s := range []panel.Signal{panel.SignalStart, panel.SignalStop, panel.SignalRestart, panel.SignalKill} {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: string(s), Value: string(s)})
	}
	return &discordgo.ApplicationCommandOption{
		Type:        discordgo.ApplicationCommandOptionString,
		Name:        optAction,
		Description: "What to do: start, stop, restart or kill.",
		Required:    true,
		Choices:     choices,
	}
}

func commandOption() *discordgo.ApplicationCommandOption {
	one := 1
	return &discordgo.ApplicationCommandOption{
		Type:        discordgo.ApplicationCommandOptionString,
		Name:        optCommand,
		Description: "The console command, on one line (at most 1000 characters).",
		Required:    true,
		MinLength:   &one,
		MaxLength:   panel.MaxCommandRunes,
	}
}

func rangeOption() *discordgo.ApplicationCommandOption {
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, r := range chart.Ranges() {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: string(r), Value: string(r)})
	}
	return &discordgo.ApplicationCommandOption{
		Type:        discordgo.ApplicationCommandOptionString,
		Name:        optRange,
		Description: "How far back: the last hour, 24 hours or 7 days.",
		Required:    true,
		Choices:     choices,
	}
}
