package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/players"
)

func TestParseQuery(t *testing.T) {
	f, err := parse(ptero(
		"    servers:",
		"      - id: aaaa0001",
		"        query: {protocol: Minecraft, address: 'play.example.com:25565'}",
		"      - id: aaaa0002",
		"        query:",
		"          protocol: a2s",
		"      - id: aaaa0003",
	))
	require.NoError(t, err)
	s := f.Panels[0].Servers
	assert.Equal(t, &config.Query{Protocol: players.Minecraft, Address: "play.example.com:25565", Line: 8}, s[0].Query)
	assert.Equal(t, &config.Query{Protocol: players.A2S, Line: 10}, s[1].Query)
	assert.Nil(t, s[2].Query)
}
