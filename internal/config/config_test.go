package config_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

const (
	token    = "MTAxMjM0NTY3ODkwMTIzNDU2.GhIjKl.secretsecretsecretsecret"
	panelKey = "ptlc_0123456789abcdefSECRET"
	roleA    = "112233445566778899"
	userA    = "998877665544332211"
)

func env(kv map[string]string) config.Getenv {
	return func(k string) string { return kv[k] }
}

func minimal() map[string]string {
	return map[string]string{
		"DISCORD_TOKEN": token,
		"PANEL_URL":     "https://panel.example.com/",
		"PANEL_API_KEY": panelKey,
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load(env(minimal()))
	require.NoError(t, err)
	assert.Equal(t, config.DefaultDiscordAPI, c.DiscordAPIURL)
	assert.Equal(t, "pterodactyl", c.PanelKind)
	assert.Equal(t, "https://panel.example.com", c.PanelURL)
	assert.Equal(t, slog.LevelInfo, c.LogLevel)
	assert.Equal(t, "./data", c.DataDir)
	assert.Equal(t, 64, c.RelayDiskCapMB)
	assert.Equal(t, "text", c.LogFormat)
	assert.False(t, c.RelayCommands)
	assert.Empty(t, c.ACL.AdminRoles)
	assert.ElementsMatch(t, []string{token, panelKey}, c.Secrets())
}

func TestLoadEverything(t *testing.T) {
	kv := minimal()
	for k, v := range map[string]string{
		"DISCORD_TOKEN":      "Bot " + token,
		"DISCORD_GUILD_ID":   roleA,
		"DISCORD_API_URL":    "http://127.0.0.1:9999/api/v10",
		"PANEL_KIND":         "Pelican",
		"PANEL_RATE_LIMIT":   "120",
		"ACL_VIEWER_ROLES":   roleA,
		"ACL_OPERATOR_ROLES": roleA + " , " + userA,
		"ACL_ADMIN_ROLES":    roleA,
		"ACL_ADMIN_USERS":    userA,
		"AUDIT_CHANNEL_ID":   roleA,
		"RELAY_CHANNEL_ID":   roleA,
		"RELAY_SERVER":       "Survival",
		"RELAY_COMMANDS":     "on",
		"LOG_LEVEL":          "debug",
		"LOG_FORMAT":         "json",
	} {
		kv[k] = v
	}
	c, err := config.Load(env(kv))
	require.NoError(t, err)
	assert.Equal(t, token, c.DiscordToken, "a pasted 'Bot ' prefix is removed")
	assert.Equal(t, "pelican", c.PanelKind)
	assert.Equal(t, 120, c.PanelRateLimit)
	assert.Equal(t, []string{roleA, userA}, c.ACL.OperatorRoles)
	assert.True(t, c.RelayCommands)
	assert.Equal(t, slog.LevelDebug, c.LogLevel)
}

func TestLoadMistakes(t *testing.T) {
	cases := []struct {
		name, key, value, wantVar, wantText string
	}{
		{"no token", "DISCORD_TOKEN", "", "DISCORD_TOKEN", "developer portal"},
		{"quoted token", "DISCORD_TOKEN", `"` + token + `"`, "DISCORD_TOKEN", "without quotes"},
		{"not a token", "DISCORD_TOKEN", "abc", "DISCORD_TOKEN", "three parts"},
		{"no panel url", "PANEL_URL", "", "PANEL_URL", "https://panel.example.com"},
		{"panel url without scheme", "PANEL_URL", "panel.example.com", "PANEL_URL", "http(s)"},
		{"panel url with credentials", "PANEL_URL", "https://u:p@panel.example.com", "PANEL_URL", "without credentials"},
		{"no key", "PANEL_API_KEY", "", "PANEL_API_KEY", "ptlc_"},
		{"application key", "PANEL_API_KEY", "ptla_abcdef", "PANEL_API_KEY", "client key"},
		{"kind", "PANEL_KIND", "multicraft", "PANEL_KIND", "pterodactyl, pelican"},
		{"guild", "DISCORD_GUILD_ID", "my-guild", "DISCORD_GUILD_ID", ""},
		{"role list", "ACL_ADMIN_ROLES", roleA + ",admins", "ACL_ADMIN_ROLES", "admins"},
		{"rate", "PANEL_RATE_LIMIT", "-3", "PANEL_RATE_LIMIT", "above zero"},
		{"level", "LOG_LEVEL", "loud", "LOG_LEVEL", "debug, info"},
		{"format", "LOG_FORMAT", "xml", "LOG_FORMAT", "text, json"},
		{"relay without server", "RELAY_CHANNEL_ID", roleA, "RELAY_SERVER", "identifier or name"},
		{"relay without channel", "RELAY_SERVER", "Survival", "RELAY_CHANNEL_ID", "channel"},
		{"relay commands alone", "RELAY_COMMANDS", "on", "RELAY_COMMANDS", "no relay"},
		{"relay commands word", "RELAY_COMMANDS", "yes", "RELAY_COMMANDS", "off, on"},
		{"disk cap zero", "RELAY_DISK_CAP_MB", "0", "RELAY_DISK_CAP_MB", "above zero"},
		{"disk cap word", "RELAY_DISK_CAP_MB", "lots", "RELAY_DISK_CAP_MB", "above zero"},
		{"data dir control", "DATA_DIR", "./data\x00x", "DATA_DIR", "directory path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kv := minimal()
			kv[c.key] = c.value
			_, err := config.Load(env(kv))
			var ce *config.Error
			require.ErrorAs(t, err, &ce)
			assert.ErrorIs(t, err, config.ErrConfig)
			assert.Equal(t, c.wantVar, ce.Var)
			assert.Contains(t, err.Error(), c.wantText)
			assert.NotContains(t, err.Error(), "secretsecret")
			assert.NotContains(t, err.Error(), "SECRET")
		})
	}
}

func TestLoadNeverRepeatsASecretPastedInTheWrongPlace(t *testing.T) {
	for _, key := range []string{"ACL_ADMIN_USERS", "PANEL_KIND", "LOG_LEVEL", "DISCORD_GUILD_ID", "PANEL_RATE_LIMIT"} {
		kv := minimal()
		kv[key] = token
		_, err := config.Load(env(kv))
		require.Error(t, err, key)
		assert.NotContains(t, err.Error(), "secretsecret", key)
	}
}

func TestWithDotEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("DISCORD_TOKEN="+token+"\nPANEL_URL=https://file.example.com\n# comment\nPANEL_API_KEY="+panelKey+"\n"), 0o600))

	get, err := config.WithDotEnv(env(map[string]string{"PANEL_URL": "https://env.example.com"}), path)
	require.NoError(t, err)
	c, err := config.Load(get)
	require.NoError(t, err)
	assert.Equal(t, "https://env.example.com", c.PanelURL, "the environment wins over the file")
	assert.Equal(t, token, c.DiscordToken)

	get, err = config.WithDotEnv(env(minimal()), filepath.Join(dir, "missing.env"))
	require.NoError(t, err, "no .env file is fine")
	_, err = config.Load(get)
	require.NoError(t, err)
}

func FuzzLoad(f *testing.F) {
	f.Add("DISCORD_TOKEN", token)
	f.Add("ACL_ADMIN_ROLES", "1,2,,3")
	f.Add("PANEL_URL", "http://[::1]:80/x?y")
	f.Add("LOG_LEVEL", "\x00")
	f.Fuzz(func(t *testing.T, key, value string) {
		kv := minimal()
		kv[key] = value
		c, err := config.Load(env(kv))
		if err != nil {
			assert.ErrorIs(t, err, config.ErrConfig)
			return
		}
		assert.NotEmpty(t, c.DiscordToken)
		assert.NotEmpty(t, c.PanelURL)
	})
}
