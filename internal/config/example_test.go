package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

// The files shipped at the repository's root, as users copy them.
var (
	shippedEnv  = filepath.Join("..", "..", ".env.example")
	shippedYAML = filepath.Join("..", "..", "bot.example.yaml")
)

// TestEnvExampleAsCopied loads .env.example as a user's .env with only the
// blanks it asks for filled in, once per setup: it must need nothing else.
func TestEnvExampleAsCopied(t *testing.T) {
	single := map[string]string{
		"DISCORD_TOKEN": fileDiscordToken,
		"PANEL_URL":     "https://panel.example.com",
		"PANEL_API_KEY": fileMainKey,
	}
	withFile := map[string]string{
		"DISCORD_TOKEN":  fileDiscordToken,
		"CONFIG_FILE":    shippedYAML,
		"MAIN_PANEL_KEY": fileMainKey,
		"ZAMPTO_API_KEY": fileZamptoKey,
	}
	for name, kv := range map[string]map[string]string{"single panel": single, "CONFIG_FILE": withFile} {
		t.Run(name, func(t *testing.T) {
			getenv, err := config.WithDotEnv(fileGetenv(kv), shippedEnv)
			require.NoError(t, err)
			_, f, err := config.LoadAll(getenv)
			require.NoError(t, err)
			assert.NotEmpty(t, f.Panels)
		})
	}
}

// TestBotExampleYAML parses the shipped example file and checks that the
// README shows it as it is.
func TestBotExampleYAML(t *testing.T) {
	f, err := config.LoadFile(shippedYAML, fileGetenv(fileVars()))
	require.NoError(t, err)
	checkInvariants(t, f)
	shipped, err := os.ReadFile(shippedYAML)
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(readme), "```yaml\n"+string(shipped)+"```\n"),
		"README's example file is bot.example.yaml")
}

// TestEnvExampleLeavesDockerDataDir: the image sets DATA_DIR=/data, its
// volume; a DATA_DIR line in `docker run --env-file .env` would replace it.
func TestEnvExampleLeavesDockerDataDir(t *testing.T) {
	raw, err := os.ReadFile(shippedEnv)
	require.NoError(t, err)
	for _, line := range strings.Split(string(raw), "\n") {
		assert.False(t, strings.HasPrefix(line, "DATA_DIR="), "DATA_DIR must stay commented out")
		assert.False(t, strings.HasPrefix(line, "METRICS_ADDR="), "METRICS_ADDR must stay commented out")
	}
}
