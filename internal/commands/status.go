package commands

import (
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
)

// status shows one server's state and figures with the power buttons under
// it. It works on every panel: without live figures it shows what the list
// said.
func (r *Router) status(ctx context.Context, rq *request) (reply, error) {
	ref, err := stringOption(rq, optServer)
	if err != nil {
		return reply{}, err
	}
	t, err := r.target(ctx, rq, ref, acl.View)
	if err != nil {
		return reply{}, err
	}
	counted := r.startPlayers(ctx, t)
	res, err := resources(ctx, t)
	if err != nil {
		return reply{}, err
	}
	rep := reply{embeds: []*discordgo.MessageEmbed{statusEmbed(t, res, r.now())}}
	if f := r.awaitPlayers(ctx, counted); f != nil {
		rep.embeds[0].Fields = append(rep.embeds[0].Fields, f)
	}
	if f := r.uptimeField(ctx, t); f != nil {
		rep.embeds[0].Fields = append(rep.embeds[0].Fields, f)
	}
	if row, ok := powerButtons(t.Key()); ok {
		rep.components = append(row, r.historyRow(t.Key())...)
	} else {
		rep.content = "This server's name on the panel is too long for buttons; use /power instead."
	}
	return rep, nil
}

// resources asks the panel for live figures when it has them, and otherwise
// builds what the server list knew.
func resources(ctx context.Context, t panel.Target) (panel.Resources, error) {
	if t.Client.Features().Has(panel.FeatureResources) {
		res, err := t.Client.Resources(ctx, t.Server.ID)
		if !errors.Is(err, panel.ErrUnsupported) {
			return res, err
		}
	}
	state := t.Server.State
	if state == "" {
		state = panel.StateUnknown
	}
	return panel.Resources{State: state, Suspended: t.Server.Suspended}, nil
}
