package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/players"
)

// The file's query: wins over the panel's allocation; a protocol alone
// keeps the allocation's address.
func TestPlayerTarget(t *testing.T) {
	file := &config.File{Panels: []config.Panel{{Name: "main", Servers: []config.Server{
		{ID: "aaaa0001", Query: &config.Query{Protocol: players.A2S, Address: "game.example.com:27015"}},
		{ID: "aaaa0002", Query: &config.Query{Protocol: players.Minecraft}},
	}}}}
	p, err := newPlayerCounter(file)
	require.NoError(t, err)
	target := func(id string) players.Target {
		return p.target(panel.Target{Panel: "main", Server: panel.Server{ID: id, Address: "10.0.0.1:25565"}})
	}
	assert.Equal(t, players.Target{Protocol: players.A2S, Address: "game.example.com:27015"}, target("aaaa0001"))
	assert.Equal(t, players.Target{Protocol: players.Minecraft, Address: "10.0.0.1:25565"}, target("aaaa0002"))
	assert.Equal(t, players.Target{Protocol: players.Auto, Address: "10.0.0.1:25565"}, target("aaaa0003"))
}
