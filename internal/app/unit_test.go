package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAPITransportRewritesDiscordOnly(t *testing.T) {
	var seen []string
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.URL.String()+" host="+r.Host)
		return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
	})
	tr := newAPITransport("http://127.0.0.1:8080/proxy/api/v10/", next)
	for _, u := range []string{
		discordgo.EndpointAPI + "gateway",
		discordgo.EndpointAPI + "channels/1/messages?limit=5",
		"https://cdn.discordapp.com/avatars/1/a.png",
	} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		_, err = tr.RoundTrip(req)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{
		"http://127.0.0.1:8080/proxy/api/v10/gateway host=127.0.0.1:8080",
		"http://127.0.0.1:8080/proxy/api/v10/channels/1/messages?limit=5 host=127.0.0.1:8080",
		"https://cdn.discordapp.com/avatars/1/a.png host=cdn.discordapp.com",
	}, seen)
}

func TestLoggerScrubsSecrets(t *testing.T) {
	const secret = "MTAx.secret-token.value"
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		log := newLogger(&buf, slog.LevelDebug, format, []string{secret, "short"})
		log.Info("failed with "+secret, "err", errors.New("401 for "+secret), "raw", secret, "n", 3)
		out := buf.String()
		assert.NotContains(t, out, secret, format)
		assert.Contains(t, out, "[redacted]", format)
	}
}

func TestRunUsageAndConfigErrors(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), Options{Args: []string{"help"}, Stdout: &out}))
	assert.Contains(t, out.String(), "usage: bot")

	err := Run(context.Background(), Options{Args: []string{"launch"}})
	assert.ErrorIs(t, err, ErrUsage)

	err = Run(context.Background(), Options{Args: []string{"run"}, Getenv: func(string) string { return "" }})
	var ce *config.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "DISCORD_TOKEN", ce.Var)
}
