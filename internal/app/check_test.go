package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/panel"
)

const checkToken = "MTAwMDAwMDAwMDAwMDAwMDk5.Gfake.check-test-token-value"

func checkEnv(kv map[string]string) config.Getenv {
	base := map[string]string{"DISCORD_TOKEN": checkToken, "PANEL_URL": "https://panel.example.com",
		"PANEL_API_KEY": "ptlc_checkcheckcheckcheck"}
	return func(k string) string {
		if v, ok := kv[k]; ok {
			return v
		}
		return base[k]
	}
}

// TestCheckRefusesWhatRunRefuses runs check and run on the same mistakes:
// both refuse them as configuration errors, and check prints each once.
func TestCheckRefusesWhatRunRefuses(t *testing.T) {
	for _, kv := range []map[string]string{
		{"RELAY_MEMORY_CAP_KB": "10"},
		{"RELAY_DISK_CAP_MB": "0"},
		{"RELAY_MEMORY_CAP_KB": "10", "LOG_LEVEL": "loud", "PANEL_URL": "ftp://x"},
	} {
		t.Run(fmt.Sprint(kv), func(t *testing.T) {
			var out bytes.Buffer
			err := Run(context.Background(), Options{Args: []string{"check"}, Getenv: checkEnv(kv), Stdout: &out})
			require.ErrorIs(t, err, config.ErrConfig)
			for name := range kv {
				assert.Equal(t, 1, strings.Count(out.String(), "config:  FAILED: "+name+": "), out.String())
				assert.NotContains(t, err.Error(), name, "main must not print it again")
			}
			assert.Equal(t, len(kv), strings.Count(out.String(), "\n"), out.String())
			err = Run(context.Background(), Options{Args: []string{"run"}, Getenv: checkEnv(kv)})
			require.ErrorIs(t, err, config.ErrConfig)
			assert.Equal(t, len(kv), strings.Count(err.Error(), "\n")+1, err.Error())
		})
	}
}

// TestCheckNamesTheDiscordURLUsed: a proxy that cannot be reached is named
// as configured, not as discordgo's built-in endpoint.
func TestCheckNamesTheDiscordURLUsed(t *testing.T) {
	down := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	})
	var out bytes.Buffer
	cfg := config.Config{DiscordToken: checkToken, DiscordAPIURL: "https://proxy.example.net/api/v10"}
	require.False(t, checkDiscord(&out, cfg, down))
	assert.Contains(t, out.String(), "https://proxy.example.net/api/v10/users/@me")
	assert.NotContains(t, out.String(), "discord.com")
	assert.Contains(t, out.String(), "connection refused")
}

func TestPanelAdviceNamesTheSetting(t *testing.T) {
	dns := &panel.Error{Class: panel.ErrUnavailable, Op: "list servers",
		Err: &net.DNSError{Err: "no such host", Name: "panel.example.com", IsNotFound: true}}
	assert.Equal(t, "cannot find the panel's host name: check PANEL_URL", panelAdvice(dns, "PANEL_URL"))
	refused := &panel.Error{Class: panel.ErrUnavailable, Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}
	assert.Contains(t, panelAdvice(refused, "PANEL_URL"), "check PANEL_URL and the network")
	assert.Equal(t, panel.UserMessage(panel.ErrUnauthorized), panelAdvice(panel.ErrUnauthorized, "PANEL_URL"))

	f := &config.File{Path: "bot.yaml"}
	assert.Equal(t, "url: of panel main in bot.yaml", urlSetting(f, "main"))
	assert.Equal(t, "PANEL_URL", urlSetting(config.EnvFile(config.Config{}), config.EnvPanelName))
}
