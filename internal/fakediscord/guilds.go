package fakediscord

import (
	"net/http"
	"strconv"
)

// Discord's upload limit per message, by boost tier.
const (
	uploadDefault = 10 << 20
	uploadTier2   = 50 << 20
	uploadTier3   = 100 << 20
)

// uploadLimit is a guild's upload limit per message.
func uploadLimit(tier int) int {
	switch {
	case tier >= 3:
		return uploadTier3
	case tier == 2:
		return uploadTier2
	default:
		return uploadDefault
	}
}

// WithPremiumTier sets a guild's boost tier (0 to 3), which raises its
// upload limit: tier 2 takes 50 MiB per message, tier 3 100 MiB.
func WithPremiumTier(guildID string, tier int) Option {
	return func(c *config) error {
		if !snowflakeRE.MatchString(guildID) || tier < 0 || tier > 3 {
			return errBadTier(guildID, tier)
		}
		if c.tiers == nil {
			c.tiers = map[string]int{}
		}
		c.tiers[guildID] = tier
		c.guilds = append(c.guilds, guildID)
		return nil
	}
}

// getChannel is GET /channels/{id}: the fields a bot reads to find the guild.
func (s *Server) getChannel(c *call) reply {
	g, ok := s.channels[c.args[0]]
	if !ok {
		return errUnknownChannel
	}
	body := map[string]any{"id": c.args[0], "type": 0, "name": "channel-" + c.args[0]}
	if g == "" {
		body["type"] = 1
	} else {
		body["guild_id"] = g
	}
	return reply{status: http.StatusOK, body: body}
}

// getGuild is GET /guilds/{id} for a guild the bot is in.
func (s *Server) getGuild(c *call) reply {
	if !s.guilds[c.args[0]] {
		return errReply(http.StatusNotFound, 10004, "Unknown Guild")
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"id": c.args[0], "name": "guild-" + c.args[0], "premium_tier": s.cfg.tiers[c.args[0]],
		"owner_id": s.cfg.botUserID, "roles": []any{}, "emojis": []any{}, "features": []any{},
	}}
}

// uploadLimitLocked is the upload limit in the channel's guild.
func (s *Server) uploadLimitLocked(channelID string) int {
	return uploadLimit(s.cfg.tiers[s.channels[channelID]])
}

func errBadTier(guildID string, tier int) error {
	return &optionError{"WithPremiumTier: need a snowflake and a tier 0 to 3, got " + strconv.Quote(guildID) + " " + strconv.Itoa(tier)}
}

type optionError struct{ msg string }

func (e *optionError) Error() string { return e.msg }
