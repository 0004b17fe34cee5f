package commands

import (
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"

	"github.com/panelbot/panelbot/internal/acl"
)

func TestHelpListsWhatTheAskerMayDo(t *testing.T) {
	tests := []struct {
		name      string
		member    *discordgo.Member
		want, not []string
	}{
		{"viewer", viewer(), []string{helpIntro, "/servers", "/status", "/history"}, []string{"/power", "/cmd", "/dashboard"}},
		{"operator", operator(), []string{"/servers", "`/power … start`"}, []string{"kill", "/cmd", "/dashboard"}},
		{"admin", admin(), []string{"/servers", "`/power … start`", "kill", "/cmd", "/dashboard"}, []string{helpSome}},
		{"nobody", memberOf(userNobody), []string{helpNothing}, []string{"/servers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.handle(slash(tt.member, cmdHelp))
			c := only(t, e.sess)
			assertEphemeral(t, c)
			for _, w := range tt.want {
				assert.Contains(t, text(t, c), w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, text(t, c), n)
			}
		})
	}
}

func TestHelpNamesServerOnlyGrants(t *testing.T) {
	e := setup(t)
	policy, err := acl.New(testRules())
	if !assert.NoError(t, err) {
		return
	}
	e.router.acl = policy
	assert.NoError(t, policy.Override("main/abc123", acl.Rules{AdminUsers: []string{userNobody}}))
	e.handle(slash(memberOf(userNobody), cmdHelp))
	out := text(t, only(t, e.sess))
	assert.Contains(t, out, "`/cmd`: send a command to a server's console"+helpSome)
}

func TestHelpIsDeclared(t *testing.T) {
	var names []string
	for _, c := range Definitions() {
		names = append(names, c.Name)
	}
	assert.Contains(t, names, cmdHelp)
}
