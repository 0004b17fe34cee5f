package commands

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

func typing(m *discordgo.Member, command, typed string) *discordgo.Interaction {
	i := slash(m, command, &discordgo.ApplicationCommandInteractionDataOption{
		Name: optServer, Type: discordgo.ApplicationCommandOptionString, Value: typed, Focused: true,
	})
	i.Type = discordgo.InteractionApplicationCommandAutocomplete
	return i
}

func choices(t *testing.T, e *env) []*discordgo.ApplicationCommandOptionChoice {
	t.Helper()
	c := only(t, e.sess)
	require.Equal(t, discordgo.InteractionApplicationCommandAutocompleteResult, c.resp.Type)
	return c.resp.Data.Choices
}

func names(cs []*discordgo.ApplicationCommandOptionChoice) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name+"="+c.Value.(string))
	}
	return out
}

func TestAutocompleteFilter(t *testing.T) {
	tests := []struct {
		typed string
		want  []string
	}{
		{"", []string{"Creative (def456)=main/def456", "Survival (abc123)=main/abc123"}},
		{"SURV", []string{"Survival (abc123)=main/abc123"}},
		{"def", []string{"Creative (def456)=main/def456"}},
		{"i", []string{"Creative (def456)=main/def456", "Survival (abc123)=main/abc123"}},
		{"zzz", nil},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			e := setup(t)
			e.handle(typing(viewer(), cmdStatus, tt.typed))
			assert.Equal(t, tt.want, names(choices(t, e)))
		})
	}
}

func TestAutocompletePrefixFirst(t *testing.T) {
	e := setup(t, func(_ *Config, p *paneltest.Client) {
		p.ServersFn = func(context.Context) ([]panel.Server, error) {
			return []panel.Server{{ID: "1", Name: "A mine"}, {ID: "2", Name: "Minecraft"}}, nil
		}
	})
	e.handle(typing(viewer(), cmdStatus, "min"))
	assert.Equal(t, []string{"Minecraft (2)=main/2", "A mine (1)=main/1"}, names(choices(t, e)))
}

func TestAutocompleteLimitAndTruncation(t *testing.T) {
	var many []panel.Server
	for i := range 40 {
		many = append(many, panel.Server{ID: fmt.Sprintf("s%02d", i), Name: strings.Repeat("é", 120) + fmt.Sprint(i)})
	}
	e := setup(t, func(_ *Config, p *paneltest.Client) {
		p.ServersFn = func(context.Context) ([]panel.Server, error) { return many, nil }
	})
	e.handle(typing(viewer(), cmdStatus, ""))
	cs := choices(t, e)
	require.Len(t, cs, maxAutocomplete)
	for _, c := range cs {
		assert.LessOrEqual(t, chars(c.Name), maxChoiceName)
		assert.True(t, strings.HasSuffix(c.Name, "…"), c.Name)
	}
}

func TestAutocompleteCmdHidesPanelsWithoutCommands(t *testing.T) {
	e := setup(t)
	other := &paneltest.Client{ServersFn: func(context.Context) ([]panel.Server, error) {
		return []panel.Server{{ID: "x1", Name: "Shard box"}}, nil
	}}
	require.NoError(t, e.reg.Add("shard", other, nil))
	e.handle(typing(admin(), cmdCmd, ""))
	assert.Equal(t, []string{"Creative (def456)=main/def456", "Survival (abc123)=main/abc123"}, names(choices(t, e)))
	e.sess.calls = nil
	e.handle(typing(admin(), cmdStatus, "box"))
	assert.Equal(t, []string{"Shard box (x1)=shard/x1"}, names(choices(t, e)), "/status works on every panel")
}

func TestAutocompleteNoMemberNoChoices(t *testing.T) {
	e := setup(t)
	e.handle(typing(nil, cmdStatus, ""))
	assert.Empty(t, choices(t, e))
}

func TestAutocompleteHidesUnviewable(t *testing.T) {
	e := setup(t, func(c *Config, _ *paneltest.Client) {
		require.NoError(t, c.ACL.Override("main/def456", acl.Rules{ViewerRoles: []string{"100000000000000099"}}))
	})
	e.handle(typing(viewer(), cmdStatus, ""))
	assert.Equal(t, []string{"Survival (abc123)=main/abc123"}, names(choices(t, e)))
}

func TestAutocompleteSlowListUsesLastList(t *testing.T) {
	var (
		mu   sync.Mutex
		gate chan struct{} // nil: the panel answers at once
	)
	setGate := func(g chan struct{}) { mu.Lock(); gate = g; mu.Unlock() }
	fetched := make(chan struct{}, 4)
	e := setup(t, func(c *Config, p *paneltest.Client) {
		c.AutocompleteBudget = time.Millisecond
		p.ServersFn = func(context.Context) ([]panel.Server, error) {
			mu.Lock()
			g := gate
			mu.Unlock()
			if g != nil {
				<-g
			}
			defer func() { fetched <- struct{}{} }()
			return testServers(), nil
		}
	})
	// No list seen yet: a slow panel gives zero choices, in time.
	first := make(chan struct{})
	setGate(first)
	e.sess.notify = make(chan string, 1)
	done := make(chan struct{})
	go func() { e.handle(typing(viewer(), cmdStatus, "")); close(done) }()
	require.Equal(t, "respond", <-e.sess.notify)
	assert.Empty(t, choices(t, e))
	<-done
	close(first)
	<-fetched
	// fetched is signalled inside the panel call, before the registry
	// stores the list: wait for the store, or Invalidate could come first
	// and the second keystroke be served fresh from the cache, fetching
	// nothing for the end of the test to wait on.
	require.Eventually(t, func() bool { return e.reg.Cached() != nil }, 5*time.Second, time.Millisecond)

	// The fetch that finished late is kept by the registry; with its cache
	// expired and the panel slow again, that list answers.
	e.sess.calls = nil
	e.reg.Invalidate()
	second := make(chan struct{})
	setGate(second)
	done2 := make(chan struct{})
	go func() { e.handle(typing(viewer(), cmdStatus, "surv")); close(done2) }()
	require.Equal(t, "respond", <-e.sess.notify)
	assert.Equal(t, []string{"Survival (abc123)=main/abc123"}, names(choices(t, e)))
	<-done2
	close(second)
	<-fetched
}

func TestAutocompleteAsksNoPanelForThoseWhoCannotView(t *testing.T) {
	var lists atomic.Int32
	e := setup(t, func(_ *Config, p *paneltest.Client) {
		p.ServersFn = func(context.Context) ([]panel.Server, error) {
			lists.Add(1)
			return testServers(), nil
		}
	})
	dm := typing(nil, cmdStatus, "")
	dm.User = &discordgo.User{ID: userNobody}
	otherOption := typing(admin(), cmdCmd, "")
	otherOption.Data.(discordgo.ApplicationCommandInteractionData).Options[0].Name = optCommand
	for _, i := range []*discordgo.Interaction{dm, typing(memberOf(userNobody), cmdStatus, "surv"), otherOption} {
		e.sess.calls = nil
		e.handle(i)
		assert.Empty(t, choices(t, e))
	}
	assert.Zero(t, lists.Load(), "a keystroke nobody may see answers for costs no panel request")
	e.sess.calls = nil
	e.handle(typing(viewer(), cmdStatus, "surv"))
	assert.Len(t, choices(t, e), 1)
	assert.Equal(t, int32(1), lists.Load())
}
