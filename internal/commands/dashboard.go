package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/store"
)

// /dashboard's names.
const (
	cmdDashboard    = "dashboard"
	subCreate       = "create"
	subRemove       = "remove"
	optServers      = "servers"
	maxServersInput = 1000
)

// Dashboards posts and removes status dashboards; *dashboard.Updater
// implements it.
type Dashboards interface {
	// Create posts a dashboard of servers (none: every server) in a
	// channel.
	Create(ctx context.Context, guildID, channelID string, servers []string) (store.Dashboard, error)
	// Remove deletes the channel's dashboards and says how many there were.
	Remove(ctx context.Context, channelID string) (int, error)
}

const (
	msgNoDashboards  = "Dashboards are not available in this bot. Ask its owner to check its log."
	msgNoDashboardIn = "There is no dashboard in this channel."
)

// dashboardCommand is /dashboard create [servers:] and /dashboard remove.
func dashboardCommand() *discordgo.ApplicationCommand {
	return command(cmdDashboard, "Post or remove a status dashboard in this channel (admins).",
		&discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: subCreate,
			Description: "Post a dashboard here, refreshed by itself: every server, or those you list.",
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: optServers, MaxLength: maxServersInput,
				Description: "Servers to show, separated by commas (names or identifiers); empty: every server.",
			}},
		},
		&discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: subRemove,
			Description: "Delete the dashboards of this channel.",
		})
}

// dashboard answers /dashboard: admins only, audited like power and /cmd.
func (r *Router) dashboard(ctx context.Context, rq *request) (reply, error) {
	sub, ok := subcommand(rq)
	rq.audit = &auditEntry{action: "dashboard " + sub.Name, via: "/dashboard", server: "this channel"}
	if err := r.acl.CheckAny(rq.member, acl.Admin); err != nil {
		return reply{}, err
	}
	switch {
	case !ok:
		return reply{}, &userError{msg: msgUnknownCommand, cause: errors.New("/dashboard without a known subcommand")}
	case r.dashboards == nil:
		return reply{}, &userError{msg: msgNoDashboards, cause: errors.New("no dashboards configured")}
	case sub.Name == subRemove:
		return r.removeDashboards(ctx, rq)
	default:
		return r.createDashboard(ctx, rq, sub)
	}
}

func (r *Router) createDashboard(ctx context.Context, rq *request, sub *discordgo.ApplicationCommandInteractionDataOption) (reply, error) {
	var keys []string
	for _, ref := range splitServers(sub) {
		t, err := r.target(ctx, rq, ref, acl.View)
		if err != nil {
			return reply{}, err
		}
		keys = append(keys, t.Key())
	}
	rq.audit.server = "all servers"
	if len(keys) > 0 {
		rq.audit.server = strings.Join(keys, ",")
	}
	d, err := r.dashboards.Create(ctx, rq.i.GuildID, rq.i.ChannelID, keys)
	if err != nil {
		return reply{}, fmt.Errorf("create dashboard: %w", err)
	}
	return say(fmt.Sprintf("Dashboard %d posted in this channel; it refreshes by itself. `/dashboard remove` deletes it.", d.ID), true), nil
}

func (r *Router) removeDashboards(ctx context.Context, rq *request) (reply, error) {
	n, err := r.dashboards.Remove(ctx, rq.i.ChannelID)
	if err != nil {
		return reply{}, fmt.Errorf("remove dashboards: %w", err)
	}
	if n == 0 {
		rq.audit.outcome = "nothing to remove"
		return say(msgNoDashboardIn, true), nil
	}
	return say(fmt.Sprintf("Removed %d dashboard(s) from this channel.", n), true), nil
}

// subcommand is the sub-command picked.
func subcommand(rq *request) (*discordgo.ApplicationCommandInteractionDataOption, bool) {
	d, ok := commandData(rq.i)
	if ok && len(d.Options) == 1 && d.Options[0] != nil &&
		d.Options[0].Type == discordgo.ApplicationCommandOptionSubCommand &&
		(d.Options[0].Name == subCreate || d.Options[0].Name == subRemove) {
		return d.Options[0], true
	}
	return &discordgo.ApplicationCommandInteractionDataOption{Name: "?"}, false
}

// splitServers reads servers: as a comma-separated list, blanks dropped.
func splitServers(sub *discordgo.ApplicationCommandInteractionDataOption) []string {
	var refs []string
	for _, o := range sub.Options {
		s, ok := o.Value.(string)
		if o.Name != optServers || !ok {
			continue
		}
		for _, ref := range strings.Split(s, ",") {
			if ref = strings.TrimSpace(ref); ref != "" {
				refs = append(refs, ref)
			}
		}
	}
	return refs
}
