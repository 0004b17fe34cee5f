package app

import (
	"context"

	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/players/a2s"
	"github.com/panelbot/panelbot/internal/players/minecraft"
)

// playerCounter finds where and how to ask each server's game for its
// players: the query: of the config file when set, else the panel's
// default allocation with the protocol guessed. It serves /status and the
// dashboards from one cache.
type playerCounter struct {
	cache   *players.Cache
	queries map[string]config.Query // by panel.Target.Key
}

// newPlayerCounter reads the servers' query settings from the file.
func newPlayerCounter(file *config.File, opts ...players.Option) (*playerCounter, error) {
	cache, err := players.NewCache(map[players.Protocol]players.Querier{
		players.Minecraft: minecraft.New(), players.A2S: a2s.New(),
	}, opts...)
	if err != nil {
		return nil, err
	}
	p := &playerCounter{cache: cache, queries: map[string]config.Query{}}
	if file == nil {
		return p, nil
	}
	for _, pn := range file.Panels {
		for _, s := range pn.Servers {
			if s.Query != nil {
				p.queries[pn.TargetKey(s)] = *s.Query
			}
		}
	}
	return p, nil
}

// Players implements commands.PlayerCounter and dashboard.PlayerCounter.
func (p *playerCounter) Players(ctx context.Context, t panel.Target) (players.Count, error) {
	return p.cache.Get(ctx, p.target(t))
}

// target is where to ask t's game.
func (p *playerCounter) target(t panel.Target) players.Target {
	pt := players.Target{Protocol: players.Auto, Address: t.Server.Address}
	if q, ok := p.queries[t.Key()]; ok {
		pt.Protocol = q.Protocol
		if q.Address != "" {
			pt.Address = q.Address
		}
	}
	return pt
}
