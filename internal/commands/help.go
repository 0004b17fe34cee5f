package commands

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
)

// cmdHelp names /help, which everyone may use.
const cmdHelp = "help"

// helpCommand declares /help.
func helpCommand() *discordgo.ApplicationCommand {
	return command(cmdHelp, "List what you may do with this bot here, given your roles.")
}

// helpEntry is one thing /help may list and the tier it takes.
type helpEntry struct {
	tier acl.Tier
	text string
}

func helpEntries() []helpEntry {
	return []helpEntry{
		{acl.View, "`/servers`: list the game servers"},
		{acl.View, "`/status`: a server's state, uptime and usage"},
		{acl.View, "`/history`: chart a server's CPU and memory"},
		{acl.Operate, "`/power … start`: start a server"},
		{acl.Admin, "`/power … stop`, `restart` or `kill`, and the power buttons of `/status`"},
		{acl.Admin, "`/cmd`: send a command to a server's console"},
		{acl.Admin, "`/dashboard`: post or remove a status dashboard"},
	}
}

const (
	helpIntro   = "What you may do here:"
	helpSome    = " (on some servers only)"
	helpNothing = "You may not use this bot's commands here: ask this server's admins for a role the bot's owner listed (ACL_VIEWER_ROLES and the others)."
)

// help answers, to the asker alone, with what their roles let them do:
// everywhere, or only on servers whose own rules grant it.
func (r *Router) help(_ context.Context, rq *request) (reply, error) {
	var lines []string
	for _, e := range helpEntries() {
		switch {
		case r.acl.Check(rq.member, e.tier, "") == nil:
			lines = append(lines, "• "+e.text)
		case r.acl.CheckAny(rq.member, e.tier) == nil:
			lines = append(lines, "• "+e.text+helpSome)
		}
	}
	if len(lines) == 0 {
		return reply{content: helpNothing, ephemeral: true}, nil
	}
	return reply{content: helpIntro + "\n" + strings.Join(lines, "\n"), ephemeral: true}, nil
}
