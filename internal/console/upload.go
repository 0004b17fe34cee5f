package console

import (
	"context"

	"github.com/bwmarrin/discordgo"
)

// Discord's upload limits per message, by the guild's boost tier.
const (
	uploadDefault = 10 << 20
	uploadTier2   = 50 << 20
	uploadTier3   = 100 << 20
	// uploadRoom is kept free of the .log file for the rest of the
	// multipart body (the message's JSON).
	uploadRoom = 64 << 10
)

// guildLooker finds a channel's guild and the guild's boost tier;
// *discordgo.Session satisfies it.
type guildLooker interface {
	Channel(channelID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	Guild(guildID string, options ...discordgo.RequestOption) (*discordgo.Guild, error)
}

// uploadFor is the upload limit of a guild of the given boost tier.
func uploadFor(tier discordgo.PremiumTier) int64 {
	switch {
	case tier >= discordgo.PremiumTier3:
		return uploadTier3
	case tier == discordgo.PremiumTier2:
		return uploadTier2
	default:
		return uploadDefault
	}
}

// uploadLimit is the largest attachment the channel takes, looked up once
// per channel through the session (GET /channels/{id}, then
// GET /guilds/{id}), 10 MiB when that is not possible. A failed look-up is
// remembered too: it costs requests, and 10 MiB is always safe.
func (h *Hub) uploadLimit(ctx context.Context, channelID string) int64 {
	h.mu.Lock()
	v, ok := h.uploads[channelID]
	h.mu.Unlock()
	if ok {
		return v
	}
	v = uploadDefault
	if gl, ok := h.post.(guildLooker); ok {
		v = h.lookUp(ctx, gl, channelID)
	}
	h.mu.Lock()
	h.uploads[channelID] = v
	h.mu.Unlock()
	return v
}

func (h *Hub) lookUp(ctx context.Context, gl guildLooker, channelID string) int64 {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.postTimeout)
	defer cancel()
	opts := func() []discordgo.RequestOption {
		return []discordgo.RequestOption{discordgo.WithContext(ctx), h.pace.option(&attempt{}),
			discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0)}
	}
	ch, err := gl.Channel(channelID, opts()...)
	if err != nil || ch.GuildID == "" {
		h.cfg.log.Info("console upload limit: channel look-up failed, using 10 MiB", "channel", channelID, "err", err)
		return uploadDefault
	}
	g, err := gl.Guild(ch.GuildID, opts()...)
	if err != nil {
		h.cfg.log.Info("console upload limit: guild look-up failed, using 10 MiB", "channel", channelID, "err", err)
		return uploadDefault
	}
	return uploadFor(g.PremiumTier)
}

// reserveUpload waits until the hub's upload budget has room for m's
// attachment. discordgo builds a whole multipart body in memory, so without
// a bound a hundred channels each draining a spilled backlog could hold a
// gigabyte of uploads at once; with it they take turns.
func (h *Hub) reserveUpload(ctx context.Context, m *outMsg) (release func(), err error) {
	if m.file == nil {
		return func() {}, nil
	}
	n := min(m.file.size()+uploadRoom, h.cfg.uploadBudget)
	if err := h.uploadMem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { h.uploadMem.Release(n) }, nil
}
