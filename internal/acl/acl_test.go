package acl

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	roleViewer   = "100000000000000001"
	roleOperator = "100000000000000002"
	roleAdmin    = "100000000000000003"
	roleOther    = "100000000000000009"
	userAdmin    = "200000000000000001"
	userPlain    = "200000000000000002"
)

func member(roles ...string) Member { return Member{UserID: userPlain, Roles: roles} }

func full() Rules {
	return Rules{
		ViewerRoles:   []string{roleViewer},
		OperatorRoles: []string{roleOperator},
		AdminRoles:    []string{roleAdmin},
		AdminUsers:    []string{userAdmin},
	}
}

func TestCheck(t *testing.T) {
	noViewers := full()
	noViewers.ViewerRoles = nil
	adminUsersOnly := Rules{AdminUsers: []string{userAdmin}}
	tests := []struct {
		name   string
		rules  Rules
		m      Member
		tier   Tier
		reason Reason // 0: allowed
	}{
		{"view open to guild when no viewer roles", noViewers, member(), View, 0},
		{"view open even with nothing configured", Rules{}, member(), View, 0},
		{"view needs a role when viewer roles set", full(), member(roleOther), View, ReasonMissingRole},
		{"viewer views", full(), member(roleViewer), View, 0},
		{"operator views", full(), member(roleOperator), View, 0},
		{"admin role views", full(), member(roleAdmin), View, 0},
		{"admin user views", full(), Member{UserID: userAdmin}, View, 0},
		{"viewer cannot operate", full(), member(roleViewer), Operate, ReasonMissingRole},
		{"operator operates", full(), member(roleOperator), Operate, 0},
		{"admin role operates", full(), member(roleAdmin), Operate, 0},
		{"admin user operates", full(), Member{UserID: userAdmin}, Operate, 0},
		{"operator is not admin", full(), member(roleOperator), Admin, ReasonMissingRole},
		{"viewer is not admin", full(), member(roleViewer), Admin, ReasonMissingRole},
		{"admin role is admin", full(), member(roleAdmin), Admin, 0},
		{"admin user is admin", full(), Member{UserID: userAdmin}, Admin, 0},
		{"nothing configured: nobody operates", Rules{}, member(roleAdmin), Operate, ReasonUnconfigured},
		{"nothing configured: nobody is admin", Rules{}, member(roleAdmin), Admin, ReasonUnconfigured},
		{"only viewers configured: nobody operates", Rules{ViewerRoles: []string{roleViewer}}, member(roleViewer), Operate, ReasonUnconfigured},
		{"operators only: nobody is admin", Rules{OperatorRoles: []string{roleOperator}}, member(roleOperator), Admin, ReasonUnconfigured},
		{"admin users only: others lack operate", adminUsersOnly, member(roleOperator), Operate, ReasonMissingRole},
		{"unknown tier treated as admin", full(), member(roleOperator), Tier(9), ReasonMissingRole},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.rules)
			require.NoError(t, err)
			err = p.Check(tt.m, tt.tier, "")
			if tt.reason == 0 {
				assert.NoError(t, err)
				return
			}
			var d *DeniedError
			require.ErrorAs(t, err, &d)
			assert.Equal(t, tt.reason, d.Reason)
			assert.Equal(t, tt.tier, d.Tier)
			assert.ErrorIs(t, err, ErrDenied)
		})
	}
}

func TestCheckOutsideGuild(t *testing.T) {
	p, err := New(Rules{})
	require.NoError(t, err)
	for _, tier := range []Tier{View, Operate, Admin} {
		err := p.Check(Member{}, tier, "")
		var d *DeniedError
		require.ErrorAs(t, err, &d)
		assert.Equal(t, ReasonNotInGuild, d.Reason)
		assert.Contains(t, d.UserMessage(), "direct messages")
		assert.Error(t, p.CheckAny(Member{}, tier))
	}
}

func TestOverride(t *testing.T) {
	const key = "main/abc123"
	const ownOperator = "300000000000000001"
	p, err := New(full())
	require.NoError(t, err)
	require.NoError(t, p.Override("Main/ABC123", Rules{OperatorRoles: []string{ownOperator}}))

	// The override's operator roles replace the global ones on that server only.
	assert.NoError(t, p.Check(member(ownOperator), Operate, key))
	assert.Error(t, p.Check(member(ownOperator), Operate, "main/other"))
	err = p.Check(member(roleOperator), Operate, key)
	var d *DeniedError
	require.ErrorAs(t, err, &d)
	assert.True(t, d.Override)
	assert.Contains(t, d.UserMessage(), "own roles")
	// Lists the override leaves empty are inherited.
	assert.NoError(t, p.Check(member(roleAdmin), Admin, key))
	assert.NoError(t, p.Check(Member{UserID: userAdmin}, Operate, key))

	// CheckAny: the override's operator may operate somewhere.
	assert.NoError(t, p.CheckAny(member(ownOperator), Operate))
	assert.Error(t, p.CheckAny(member(roleViewer), Operate))

	require.Error(t, p.Override(" ", Rules{}))
	require.Error(t, p.Override(key, Rules{AdminRoles: []string{"admins"}}))
}

func TestOverrideViewerRoles(t *testing.T) {
	p, err := New(Rules{AdminUsers: []string{userAdmin}})
	require.NoError(t, err)
	require.NoError(t, p.Override("main/secret", Rules{ViewerRoles: []string{roleViewer}}))
	assert.NoError(t, p.Check(member(), View, "main/public"))
	assert.Error(t, p.Check(member(), View, "main/secret"))
	assert.NoError(t, p.Check(member(roleViewer), View, "main/secret"))
	assert.NoError(t, p.Check(Member{UserID: userAdmin}, View, "main/secret"))
}

func TestNewValidates(t *testing.T) {
	_, err := New(Rules{OperatorRoles: []string{"12"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"12"`)
}

func TestDeniedMessages(t *testing.T) {
	tests := []struct {
		err  *DeniedError
		want []string
	}{
		{&DeniedError{Tier: View, Reason: ReasonMissingRole}, []string{"viewer role", EnvViewerRoles}},
		{&DeniedError{Tier: Operate, Reason: ReasonMissingRole}, []string{"operator role", "start", EnvOperatorRoles}},
		{&DeniedError{Tier: Admin, Reason: ReasonMissingRole}, []string{"admin role", "restart", EnvAdminRoles, EnvAdminUsers}},
		{&DeniedError{Tier: Operate, Reason: ReasonUnconfigured}, []string{"Nobody may start", EnvOperatorRoles}},
		{&DeniedError{Tier: Admin, Reason: ReasonUnconfigured}, []string{"Nobody may stop", EnvAdminRoles}},
	}
	for _, tt := range tests {
		msg := tt.err.UserMessage()
		for _, w := range tt.want {
			assert.Contains(t, msg, w)
		}
		assert.True(t, errors.Is(tt.err, ErrDenied))
		assert.Contains(t, tt.err.Error(), tt.err.Tier.String())
	}
}

func TestParseIDs(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{" , ,", nil, ""},
		{roleAdmin, []string{roleAdmin}, ""},
		{roleAdmin + " , " + roleViewer + "," + roleAdmin, []string{roleAdmin, roleViewer}, ""},
		{"12345678901234567", []string{"12345678901234567"}, ""},
		{"18446744073709551615", []string{"18446744073709551615"}, ""},
		{"18446744073709551616", nil, `"18446744073709551616"`},
		{"1234567890123456", nil, `"1234567890123456"`},
		{roleAdmin + ",admins", nil, `"admins"`},
		{"-10000000000000000", nil, "not a Discord ID"},
		{"<@&100000000000000003>", nil, "not a Discord ID"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIDs(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseIDsHidesLongValues(t *testing.T) {
	secret := "MTAxMjM0NTY3ODkwMTIzNDU2Nzg.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789"
	_, err := ParseIDs(secret)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret[:6], "not even in part")
	assert.Contains(t, err.Error(), "characters")
}

func FuzzParseIDs(f *testing.F) {
	for _, s := range []string{"", roleAdmin, roleAdmin + ",x", " 1,2 ", "\xff", strings.Repeat("9", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := ParseIDs(s)
		if err != nil {
			return
		}
		for _, id := range ids {
			if ValidateID(id) != nil {
				t.Fatalf("ParseIDs accepted %q", id)
			}
		}
	})
}
