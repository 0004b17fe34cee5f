package config_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

// TestPanelKeyPrefixes: client keys of both panels are taken by both kinds
// (a Pelican panel issues plcn_ or pacc_, Pterodactyl ptlc_), application
// keys of either are refused with advice, from the environment and a file.
func TestPanelKeyPrefixes(t *testing.T) {
	const body = "Zq9xW2kLm4Np7Rs8Tu"
	for _, kind := range []string{"pterodactyl", "pelican"} {
		for _, prefix := range []string{"ptlc_", "plcn_", "pacc_", "ptla_", "peli_", "papp_"} {
			t.Run(kind+"/"+prefix, func(t *testing.T) {
				key := prefix + body
				application := prefix == "ptla_" || prefix == "peli_" || prefix == "papp_"
				_, err := config.Load(fileGetenv(map[string]string{"DISCORD_TOKEN": fileDiscordToken,
					"PANEL_KIND": kind, "PANEL_URL": "https://panel.example.com", "PANEL_API_KEY": key}))
				src := fmt.Sprintf("panels:\n  - name: a\n    kind: %s\n    url: https://p.example.com\n    api_key_env: K\n", kind)
				_, ferr := config.ParseFile("bot.yaml", []byte(src), fileGetenv(map[string]string{"K": key}))
				if !application {
					assert.NoError(t, err)
					assert.NoError(t, ferr)
					return
				}
				require.Error(t, err)
				require.Error(t, ferr)
				for _, e := range []error{err, ferr} {
					assert.Contains(t, e.Error(), "application (admin) key")
					assert.Contains(t, e.Error(), "pacc_")
					assert.NotContains(t, e.Error(), body[:6])
				}
			})
		}
	}
}
