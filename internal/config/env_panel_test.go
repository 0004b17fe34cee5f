package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

func envPanel(kv map[string]string) config.Getenv {
	kv["DISCORD_TOKEN"] = fileDiscordToken
	return fileGetenv(kv)
}

func TestEveryKindFromEnvironment(t *testing.T) {
	for _, c := range []struct {
		kind, key string
		needsURL  bool
		per       time.Duration
	}{
		{"pterodactyl", fileMainKey, true, time.Minute},
		{"pelican", "pacc_Zq9xW2kLm4Np7Rs8", true, time.Minute},
		{"zampto", fileZamptoKey, false, 10 * time.Second},
		{"serverprism", filePrismKey, false, time.Minute},
		{"shardlyn", fileShardTok, false, time.Minute},
	} {
		t.Run(c.kind, func(t *testing.T) {
			cfg, f, err := config.LoadAll(envPanel(map[string]string{"PANEL_KIND": c.kind, "PANEL_API_KEY": c.key, "PANEL_RATE_LIMIT": "5"}))
			if c.needsURL {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "PANEL_URL: required")
				return
			}
			require.NoError(t, err)
			assert.Empty(t, cfg.PanelURL, "the client's documented address")
			p := f.Panels[0]
			assert.Equal(t, c.kind, p.Kind)
			assert.Equal(t, c.key, p.Secret.Key())
			assert.Equal(t, c.per, p.RatePer, "PANEL_RATE_LIMIT counts per the kind's window")
			assert.Equal(t, 5, p.RateLimit)
		})
	}
}

func TestShardlynLoginFromEnvironment(t *testing.T) {
	cfg, f, err := config.LoadAll(envPanel(map[string]string{"PANEL_KIND": "shardlyn",
		"PANEL_EMAIL": "bot@example.com", "PANEL_PASSWORD": fileShardPass}))
	require.NoError(t, err)
	email, pass := f.Panels[0].Secret.Login()
	assert.Equal(t, "bot@example.com", email)
	assert.Equal(t, fileShardPass, pass)
	assert.Empty(t, f.Panels[0].Secret.Key())
	assert.Contains(t, cfg.Secrets(), fileShardPass)
	assert.NotContains(t, f.Panels[0].Secret.String(), fileShardPass)
}

func TestEnvironmentPanelMistakes(t *testing.T) {
	for name, c := range map[string]struct {
		kv   map[string]string
		want string
	}{
		"token and login": {map[string]string{"PANEL_KIND": "shardlyn", "PANEL_API_KEY": fileShardTok, "PANEL_EMAIL": "a@b.c"},
			"PANEL_API_KEY: is set together with PANEL_EMAIL"},
		"email alone":    {map[string]string{"PANEL_KIND": "shardlyn", "PANEL_EMAIL": "a@b.c"}, "PANEL_PASSWORD: PANEL_EMAIL and PANEL_PASSWORD go together"},
		"not an email":   {map[string]string{"PANEL_KIND": "shardlyn", "PANEL_EMAIL": "bot", "PANEL_PASSWORD": "pw"}, "PANEL_EMAIL: does not hold an email"},
		"not a token":    {map[string]string{"PANEL_KIND": "shardlyn", "PANEL_API_KEY": "abc"}, "PANEL_API_KEY: does not hold a whole Shardlyn API token"},
		"nothing":        {map[string]string{"PANEL_KIND": "shardlyn"}, "PANEL_API_KEY: required: set it to a Shardlyn API token"},
		"zampto key":     {map[string]string{"PANEL_KIND": "zampto"}, "PANEL_API_KEY: required: set it to the zampto API key"},
		"zampto relay":   {map[string]string{"PANEL_KIND": "zampto", "PANEL_API_KEY": "k", "RELAY_CHANNEL_ID": fileChannel, "RELAY_SERVER": "x"}, "RELAY_CHANNEL_ID: zampto servers have no console"},
		"prism relay":    {map[string]string{"PANEL_KIND": "serverprism", "PANEL_API_KEY": "k", "RELAY_CHANNEL_ID": fileChannel, "RELAY_SERVER": "x"}, "RELAY_CHANNEL_ID: serverprism servers have no console"},
		"shard commands": {map[string]string{"PANEL_KIND": "shardlyn", "PANEL_API_KEY": fileShardTok, "RELAY_CHANNEL_ID": fileChannel, "RELAY_SERVER": "x", "RELAY_COMMANDS": "on"}, "RELAY_COMMANDS: shardlyn servers take no console commands"},
		"bad url":        {map[string]string{"PANEL_KIND": "zampto", "PANEL_API_KEY": "k", "PANEL_URL": "ftp://x"}, "PANEL_URL: must be an http(s) address"},
		"unknown kind":   {map[string]string{"PANEL_KIND": "pterodactly"}, "PANEL_KIND: must be one of pterodactyl, pelican, zampto, serverprism, shardlyn"},
		"login and file": {map[string]string{"CONFIG_FILE": shippedYAML, "PANEL_EMAIL": "a@b.c"}, "PANEL_EMAIL: is set, but CONFIG_FILE declares the panels"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := config.LoadAll(envPanel(c.kv))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), fileShardTok[13:])
		})
	}
}
