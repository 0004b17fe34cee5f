package commands

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/players/a2s"
	"github.com/panelbot/panelbot/internal/players/minecraft"
	"github.com/panelbot/panelbot/internal/players/playerstest"
)

// counterFunc is a PlayerCounter made of a function.
type counterFunc func(ctx context.Context, t panel.Target) (players.Count, error)

func (f counterFunc) Players(ctx context.Context, t panel.Target) (players.Count, error) {
	return f(ctx, t)
}

// realCounter asks the game at the server's address with the real clients,
// guessing the protocol, through a cache with a short timeout.
func realCounter(t *testing.T) PlayerCounter {
	c, err := players.NewCache(map[players.Protocol]players.Querier{
		players.Minecraft: minecraft.New(), players.A2S: a2s.New(),
	}, players.WithTimeout(200*time.Millisecond))
	require.NoError(t, err)
	return counterFunc(func(ctx context.Context, tg panel.Target) (players.Count, error) {
		return c.Get(ctx, players.Target{Protocol: players.Auto, Address: tg.Server.Address})
	})
}

// statusPlayers runs /status for a server at address and returns its
// Players field.
func statusPlayers(t *testing.T, address string, counter PlayerCounter) string {
	e := setup(t, func(cfg *Config, c *paneltest.Client) {
		cfg.Players = counter
		c.ServersFn = func(context.Context) ([]panel.Server, error) {
			s := testServers()
			s[0].Address = address
			return s, nil
		}
	})
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "survival")))
	c := only(t, e.sess)
	require.Len(t, c.resp.Data.Embeds, 1)
	f, ok := fieldMap(c.resp.Data.Embeds[0])["Players"]
	require.True(t, ok, "a Players field")
	return f
}

func TestStatusPlayers(t *testing.T) {
	mc := playerstest.Minecraft(t, players.Count{Online: 2, Max: 20, Names: []string{"alice", "bob"}})
	src := playerstest.A2S(t, players.Count{Online: 3, Max: 24, Names: []string{"carol", "*dan*", "erin"}})
	assert.Equal(t, "2/20: alice, bob", statusPlayers(t, mc, realCounter(t)))
	assert.Equal(t, `3/24: carol, \*dan\*, erin`, statusPlayers(t, src, realCounter(t)))
	assert.Equal(t, "unknown", statusPlayers(t, playerstest.Silent(t), realCounter(t)))
}

// A server with no address to ask has no Players field.
func TestStatusPlayersNoAddress(t *testing.T) {
	e := setup(t, func(cfg *Config, _ *paneltest.Client) { cfg.Players = realCounter(t) })
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "survival")))
	_, ok := fieldMap(only(t, e.sess).resp.Data.Embeds[0])["Players"]
	assert.False(t, ok)
}

func TestStatusNoPlayerCounter(t *testing.T) {
	e := setup(t)
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "survival")))
	_, ok := fieldMap(only(t, e.sess).resp.Data.Embeds[0])["Players"]
	assert.False(t, ok)
}

// The count is asked for while the panel is: the panel here answers only
// once the counter has been called.
func TestStatusPlayersInParallel(t *testing.T) {
	asked := make(chan struct{})
	counter := counterFunc(func(context.Context, panel.Target) (players.Count, error) {
		close(asked)
		return players.Count{Online: 1, Max: 2}, nil
	})
	e := setup(t, func(cfg *Config, c *paneltest.Client) {
		cfg.Players = counter
		c.ResourcesFn = func(ctx context.Context, _ string) (panel.Resources, error) {
			select {
			case <-asked:
				return panel.Resources{State: panel.StateRunning}, nil
			case <-time.After(2 * time.Second):
				return panel.Resources{}, errors.New("players were not asked alongside the panel")
			}
		}
	})
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "survival")))
	assert.Equal(t, "1/2", fieldMap(only(t, e.sess).resp.Data.Embeds[0])["Players"])
}

// A counter that never answers costs /status at most playersWait.
func TestStatusPlayersNeverHoldStatus(t *testing.T) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	hang := counterFunc(func(context.Context, panel.Target) (players.Count, error) {
		<-done // ignores its context
		return players.Count{}, nil
	})
	start := time.Now()
	assert.Equal(t, "unknown", statusPlayers(t, "127.0.0.1:1", hang))
	assert.Less(t, time.Since(start), playersWait+time.Second)
}

func TestPlayersText(t *testing.T) {
	assert.Equal(t, "0/10", playersText(players.Count{Max: 10}))
	var many []string
	for range 15 {
		many = append(many, "p")
	}
	assert.Equal(t, "15/20: p, p, p, p, p, p, p, p, p, p, …", playersText(players.Count{Online: 15, Max: 20, Names: many}))
	long := playersText(players.Count{Online: 1, Max: 1, Names: []string{strings.Repeat("x", 500)}})
	assert.LessOrEqual(t, len([]rune(long)), 50)
	assert.Equal(t, "1/1: a b", playersText(players.Count{Online: 1, Max: 1, Names: []string{"a\nb"}}))
}
