package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

const fileDiscordToken = "MTAxMjM0NTY3ODkwMTIzNDU2.GhIjKl.filesecretfilesecretfile"

// fileModeVars is a complete environment for CONFIG_FILE mode.
func fileModeVars() map[string]string {
	kv := fileVars()
	kv["DISCORD_TOKEN"] = fileDiscordToken
	kv["ACL_ADMIN_ROLES"] = fileAdminRole
	kv["CONFIG_FILE"] = filepath.Join("testdata", "example.yaml")
	return kv
}

func TestLoadAllWithoutFileIsLoad(t *testing.T) {
	kv := map[string]string{
		"DISCORD_TOKEN": fileDiscordToken,
		"PANEL_URL":     "https://panel.example.com",
		"PANEL_API_KEY": fileMainKey,
	}
	want, err := config.Load(fileGetenv(kv))
	require.NoError(t, err)
	got, f, err := config.LoadAll(fileGetenv(kv))
	require.NoError(t, err)
	assert.Equal(t, want, got)
	require.Len(t, f.Panels, 1, "the environment's panel, described as a file")
	assert.Equal(t, config.EnvPanelName, f.Panels[0].Name)
	assert.Equal(t, fileMainKey, f.Panels[0].Secret.Key())
	assert.Equal(t, []string{fileMainKey}, f.Secrets())

	delete(kv, "PANEL_URL")
	_, _, err = config.LoadAll(fileGetenv(kv))
	var ce *config.Error
	require.ErrorAs(t, err, &ce, "the single-panel variables stay required without a file")
	assert.Equal(t, "PANEL_URL", ce.Var)
}

func TestLoadAllWithFile(t *testing.T) {
	c, f, err := config.LoadAll(fileGetenv(fileModeVars()))
	require.NoError(t, err)
	require.NotNil(t, f)
	assert.Len(t, f.Panels, 2)
	assert.Equal(t, fileDiscordToken, c.DiscordToken)
	assert.Equal(t, []string{fileAdminRole}, c.ACL.AdminRoles, "global tiers still come from the environment")
	assert.Empty(t, c.PanelKind)
	assert.Empty(t, c.PanelURL)
	assert.Empty(t, c.PanelAPIKey)
	assert.Empty(t, c.RelayChannelID)
}

func TestLoadAllFileMistakes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bot.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("panels:\n  - name: a\n    kind: multicraft\n"), 0o600))
	cases := []struct {
		name, key, value, want string
		wantVar                string
	}{
		{"panel url beside the file", "PANEL_URL", "https://panel.example.com", "PANEL_URL: is set, but CONFIG_FILE declares the panels", "PANEL_URL"},
		{"relay beside the file", "RELAY_SERVER", "survival", "declare relay: under the server", "RELAY_SERVER"},
		{"env mistake first", "DISCORD_TOKEN", "", "developer portal", "DISCORD_TOKEN"},
		{"file mistake", "CONFIG_FILE", bad, bad + ":3: unknown kind \"multicraft\"", ""},
		{"missing file", "CONFIG_FILE", filepath.Join(dir, "nope.yaml"), "no such file", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kv := fileModeVars()
			kv[c.key] = c.value
			_, f, err := config.LoadAll(fileGetenv(kv))
			require.Error(t, err)
			assert.Nil(t, f)
			assert.ErrorIs(t, err, config.ErrConfig)
			assert.Contains(t, err.Error(), c.want)
			if c.wantVar != "" {
				var ce *config.Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, c.wantVar, ce.Var)
			}
		})
	}
}

func TestLoadAllKeepsPanelAPIKeyUsable(t *testing.T) {
	// Moving to a file, an owner may keep PANEL_API_KEY and name it.
	dir := t.TempDir()
	path := filepath.Join(dir, "bot.yaml")
	src := "panels:\n  - {name: main, kind: pterodactyl, url: https://p.example.com, api_key_env: PANEL_API_KEY}\n"
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	kv := fileModeVars()
	kv["CONFIG_FILE"] = path
	kv["PANEL_API_KEY"] = fileMainKey
	_, f, err := config.LoadAll(fileGetenv(kv))
	require.NoError(t, err)
	assert.Equal(t, fileMainKey, f.Panels[0].Secret.Key())
}
