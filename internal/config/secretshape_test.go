package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

// keyShaped are secrets as users paste them: Pterodactyl and Pelican keys,
// a Shardlyn token, a Discord bot token, bare random strings. The part
// after each prefix must never appear in an error, not even in part.
func keyShaped() []string {
	return []string{
		"ptlc_Zq9xW2kLm4Np", "ptla_zq9xw2klm4np7r", "plcn_q9xw2klm4np7rs8", "pacc_Q9XW2KLM4NP7",
		"peli_q9xw2klm4np7", "papp_q9xw2klm4np7rs8tz", "shardlyn_api_q9xw2klm",
		"MTAxMjM0NTY3ODkwMTIzNDU2.GhIjKl.q9xw2klm4np7rs8tzq9xw2", "Zq9xW2kLm4Np7Rs8",
		"q9xw2klm4np7rs8tzq9xw2klm4np7rs8", "Bearer q9xw2klm4np7rs8t", "  ptlc_q9xw2klm  ",
	}
}

// documentedVars lists every variable of the README's configuration table.
func documentedVars(t *testing.T) []string {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	var out []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\|").FindAllStringSubmatch(string(readme), -1) {
		out = append(out, m[1])
	}
	require.Greater(t, len(out), 20)
	return out
}

// assertNoFragment fails if text holds any 6 characters in a row of the
// secret's body (what follows its prefix).
func assertNoFragment(t *testing.T, text, secret, context string) {
	t.Helper()
	body := strings.TrimSpace(secret)
	if i := strings.LastIndexAny(body, "_ "); i >= 0 {
		body = body[i+1:]
	}
	for i := 0; i+6 <= len(body); i++ {
		if !assert.NotContains(t, text, body[i:i+6], context) {
			return
		}
	}
}

func TestNoVariableEchoesASecret(t *testing.T) {
	base := map[string]string{"DISCORD_TOKEN": fileDiscordToken, "PANEL_URL": "https://panel.example.com",
		"PANEL_API_KEY": fileMainKey}
	for _, name := range append(documentedVars(t), "PANEL_EMAIL", "PANEL_PASSWORD") {
		for _, secret := range keyShaped() {
			kv := map[string]string{}
			for k, v := range base {
				kv[k] = v
			}
			kv[name] = secret
			_, _, err := config.LoadAll(fileGetenv(kv))
			if err != nil {
				assertNoFragment(t, err.Error(), secret, name)
			}
			_, err = config.MetricsAddr(fileGetenv(kv))
			if err != nil {
				assertNoFragment(t, err.Error(), secret, name)
			}
		}
	}
}

func TestMisplacedKeyIsNamedNotRepeated(t *testing.T) {
	kv := map[string]string{"DISCORD_TOKEN": fileDiscordToken, "PANEL_URL": "https://panel.example.com",
		"PANEL_API_KEY": fileMainKey, "LOG_LEVEL": "ptlc_supersecret", "ACL_ADMIN_ROLES": "112233445566778899,plcn_abcdefgh"}
	_, err := config.Load(fileGetenv(kv))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "LOG_LEVEL: holds what looks like a key or token")
	assert.Contains(t, err.Error(), "ACL_ADMIN_ROLES: holds what looks like a key or token")
	assert.NotContains(t, err.Error(), "supers")
	assert.NotContains(t, err.Error(), "abcdef")
}

// TestNamesAreNotMistakenForKeys: what users name things may mix case and
// digits; only where a value could be a key is that shape refused.
func TestNamesAreNotMistakenForKeys(t *testing.T) {
	kv := map[string]string{"DISCORD_TOKEN": fileDiscordToken, "PANEL_URL": "https://panel.example.com",
		"PANEL_API_KEY": fileMainKey, "RELAY_SERVER": "SurvivalServer2024", "RELAY_CHANNEL_ID": fileChannel,
		"DATA_DIR": "/srv/PanelBot2024Data/x"}
	c, err := config.Load(fileGetenv(kv))
	require.NoError(t, err)
	assert.Equal(t, "SurvivalServer2024", c.RelayServer)

	kv["RELAY_SERVER"] = "ptlc_q9xw2klm4np7"
	_, err = config.Load(fileGetenv(kv))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "RELAY_SERVER: holds what looks like a key or token")

	_, _, err = config.LoadAll(fileGetenv(map[string]string{"DISCORD_TOKEN": fileDiscordToken,
		"CONFIG_FILE": "MyPanels2024Config.yaml"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MyPanels2024Config.yaml: no such file", "a file's name is repeated")
}
