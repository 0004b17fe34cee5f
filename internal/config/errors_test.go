package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

// vars lists the variables the errors of err name, in order.
func vars(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(err.Error(), "\n") {
		name, _, ok := strings.Cut(line, ": ")
		require.True(t, ok, "each line reads VAR: problem, not %q", line)
		out = append(out, name)
	}
	return out
}

func TestLoadReportsEveryMistake(t *testing.T) {
	kv := map[string]string{
		"DISCORD_TOKEN":       "no-dots",
		"PANEL_URL":           "ftp://panel",
		"PANEL_API_KEY":       `"quoted"`,
		"LOG_LEVEL":           "loud",
		"RELAY_MEMORY_CAP_KB": "-1",
		"RELAY_SERVER":        "survival",
	}
	_, err := config.Load(fileGetenv(kv))
	require.ErrorIs(t, err, config.ErrConfig)
	assert.Equal(t, []string{"DISCORD_TOKEN", "RELAY_MEMORY_CAP_KB", "LOG_LEVEL", "PANEL_URL", "PANEL_API_KEY", "RELAY_CHANNEL_ID"},
		vars(t, err))
	var ce *config.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "DISCORD_TOKEN", ce.Var, "errors.As finds the first")
	assert.Equal(t, 1, strings.Count(err.Error(), "PANEL_API_KEY"), "one error per variable: quoted, not also required")
}

func TestLoadAllReportsEnvironmentAndFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.yaml")
	src := yamlLines(
		"panels:",
		"  - name: a",
		"    kind: pterodactly",
		"  - name: b",
		"    kind: zampto",
		"    api_key_env: UNSET_KEY",
		"    servers:",
		"      - id: 1",
		"        alias: x/y",
	)
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	kv := map[string]string{"DISCORD_TOKEN": fileDiscordToken, "CONFIG_FILE": path,
		"PANEL_KIND": "pelican", "LOG_FORMAT": "xml"}
	_, _, err := config.LoadAll(fileGetenv(kv))
	require.ErrorIs(t, err, config.ErrConfig)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 5, err.Error())
	assert.True(t, strings.HasPrefix(lines[0], "PANEL_KIND: "))
	assert.True(t, strings.HasPrefix(lines[1], "LOG_FORMAT: "))
	for i, line := range []string{":3: unknown kind", ":6: environment variable UNSET_KEY", ":9: alias"} {
		assert.Contains(t, lines[2+i], path+line)
	}
	var fe *config.FileError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, 3, fe.Line)
}
