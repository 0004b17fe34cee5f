package schedule

import (
	"context"
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
)

// Tier is the access tier an action needs: the same as /power's (start is
// Operate, the rest Admin) and /cmd's (Admin).
func Tier(a Action) acl.Tier {
	if a.Command == "" && a.Signal == panel.SignalStart {
		return acl.Operate
	}
	return acl.Admin
}

// Members fetches a guild member; *discordgo.Session implements it.
type Members interface {
	GuildMember(guildID, userID string, options ...discordgo.RequestOption) (*discordgo.Member, error)
}

// MemberCheck is the Creators that asks Discord for the creator's current
// roles and applies the access rules to them.
type MemberCheck struct {
	Members Members
	ACL     *acl.Policy
}

// Check fails when the creator left the guild or no longer holds the tier
// (an *acl.DeniedError), or when Discord cannot be asked.
func (m MemberCheck) Check(ctx context.Context, sc store.Schedule, a Action) error {
	mem, err := m.Members.GuildMember(sc.GuildID, sc.CreatorID, discordgo.WithContext(ctx))
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeUnknownMember {
		// Left the guild: refused as anyone outside it is.
		return &acl.DeniedError{Tier: Tier(a), Reason: acl.ReasonNotInGuild, UserID: sc.CreatorID, Target: sc.Server}
	}
	if err != nil {
		return fmt.Errorf("fetch member %s: %w", sc.CreatorID, err)
	}
	return m.ACL.Check(acl.Member{UserID: sc.CreatorID, Roles: mem.Roles}, Tier(a), sc.Server)
}
