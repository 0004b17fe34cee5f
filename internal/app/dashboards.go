package app

import (
	"context"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/dashboard"
	"github.com/panelbot/panelbot/internal/store"
)

// dashboards links /dashboard to the updater. The router is built before
// the Discord session the updater posts with, so the link is filled in by
// wire, before the bot connects.
type dashboards struct {
	u       *dashboard.Updater
	players dashboard.PlayerCounter
}

// wire creates the updater over the store and subscribes it to the
// watcher: every dashboard shares the watcher's one poll per server.
func (d *dashboards) wire(s *discordgo.Session, mem *memory, interval time.Duration, opts Options) error {
	u, err := dashboard.New(s, mem.store, mem.watcher, interval, mem.log, opts.Now,
		dashboard.WithPlayers(d.players))
	if err != nil {
		return err
	}
	d.u = u
	mem.watcher.Subscribe(u)
	return nil
}

// Create posts a dashboard.
func (d *dashboards) Create(ctx context.Context, guildID, channelID string, servers []string) (store.Dashboard, error) {
	return d.u.Create(ctx, guildID, channelID, servers)
}

// Remove deletes a channel's dashboards.
func (d *dashboards) Remove(ctx context.Context, channelID string) (int, error) {
	return d.u.Remove(ctx, channelID)
}
