package schedule_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/schedule"
	"github.com/panelbot/panelbot/internal/store"
)

// members is a guild of one member, or none.
type members struct {
	roles []string
	err   error
}

func (m members) GuildMember(_, userID string, _ ...discordgo.RequestOption) (*discordgo.Member, error) {
	if m.err != nil {
		return nil, m.err
	}
	return &discordgo.Member{User: &discordgo.User{ID: userID}, Roles: m.roles}, nil
}

func TestMemberCheck(t *testing.T) {
	policy, err := acl.New(acl.Rules{OperatorRoles: []string{"200000000000000002"}, AdminRoles: []string{"200000000000000003"}})
	require.NoError(t, err)
	sc := store.Schedule{GuildID: "100000000000000001", CreatorID: "300000000000000001", Server: "main/a"}
	restart, start := schedule.Action{Signal: "restart"}, schedule.Action{Signal: "start"}
	check := func(m members, a schedule.Action) error {
		return schedule.MemberCheck{Members: m, ACL: policy}.Check(context.Background(), sc, a)
	}
	assert.NoError(t, check(members{roles: []string{"200000000000000003"}}, restart))
	assert.NoError(t, check(members{roles: []string{"200000000000000002"}}, start))
	var de *acl.DeniedError
	require.ErrorAs(t, check(members{roles: []string{"200000000000000002"}}, restart), &de, "an operator lost admin")
	assert.Equal(t, acl.ReasonMissingRole, de.Reason)

	left := &discordgo.RESTError{Response: &http.Response{StatusCode: http.StatusNotFound},
		Message: &discordgo.APIErrorMessage{Code: discordgo.ErrCodeUnknownMember, Message: "Unknown Member"}}
	require.ErrorAs(t, check(members{err: left}, start), &de)
	assert.Equal(t, acl.ReasonNotInGuild, de.Reason)

	down := errors.New("connection refused")
	err = check(members{err: down}, start)
	assert.ErrorIs(t, err, down)
	assert.False(t, errors.As(err, &de), "Discord down is not a refusal")
}
