package fakediscord

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGuildMember(t *testing.T) {
	s := New(t, WithGuild(testGuild))
	dg := restSession(t, s)
	const user = "300000000000000007"
	_, err := dg.GuildMember(testGuild, user)
	status, code := restCode(t, err)
	assert.Equal(t, []int{http.StatusNotFound, 10007}, []int{status, code}, "not a member yet")

	s.SetMember(testGuild, user, "400000000000000001")
	m, err := dg.GuildMember(testGuild, user)
	require.NoError(t, err)
	assert.Equal(t, []string{"400000000000000001"}, m.Roles)
	assert.Equal(t, user, m.User.ID)

	s.SetMember(testGuild, user)
	m, err = dg.GuildMember(testGuild, user)
	require.NoError(t, err)
	assert.Empty(t, m.Roles, "a role taken away")

	s.RemoveMember(testGuild, user)
	_, err = dg.GuildMember(testGuild, user)
	status, _ = restCode(t, err)
	assert.Equal(t, http.StatusNotFound, status)
	_, err = dg.GuildMember("999999999999999999", user)
	_, code = restCode(t, err)
	assert.Equal(t, 10004, code, "unknown guild")
	st, _, _ := hit(t, s, http.MethodGet, "/guilds/"+testGuild+"/members/bob", nil, true)
	assert.Equal(t, http.StatusBadRequest, st)
	st, _, _ = hit(t, s, http.MethodGet, "/guilds/"+testGuild+"/members/"+user, nil, false)
	assert.Equal(t, http.StatusUnauthorized, st)
}
