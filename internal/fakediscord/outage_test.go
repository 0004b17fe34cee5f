package fakediscord

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawPost posts a plain message through c and returns the answer.
func rawPost(t *testing.T, c *http.Client, s *Server, channelID string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, discordgo.EndpointChannelMessages(channelID), strings.NewReader(`{"content":"x"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bot "+s.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func TestGlobalLimitAcrossRoutes(t *testing.T) {
	t.Parallel()
	clk := NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	opts := []Option{WithClock(clk), WithGlobalLimit(50, time.Second)}
	for i := range 60 {
		opts = append(opts, WithChannel(testGuild, "9000000000000001"+twoDigits(i)))
	}
	s := New(t, opts...)
	c := &http.Client{Transport: s.Transport()}
	for i := range 50 {
		resp, _ := rawPost(t, c, s, "9000000000000001"+twoDigits(i))
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d is within the global limit", i)
	}
	resp, body := rawPost(t, c, s, "900000000000000150")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the 51st in one second")
	assert.Equal(t, "true", resp.Header.Get("X-RateLimit-Global"))
	assert.Equal(t, "global", resp.Header.Get("X-RateLimit-Scope"))
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	var got struct {
		Message    string  `json:"message"`
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	require.NoError(t, json.Unmarshal(body, &got))
	assert.True(t, got.Global)
	assert.InDelta(t, 1.0, got.RetryAfter, 0.001)
	assert.NotEmpty(t, got.Message)
	assert.Equal(t, 1, s.GlobalRateLimited())
	clk.Advance(time.Second)
	resp, _ = rawPost(t, c, s, "900000000000000150")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a new second")
}

func twoDigits(i int) string { return string([]byte{byte('0' + i/10), byte('0' + i%10)}) }

func TestBadGatewayUntil(t *testing.T) {
	t.Parallel()
	clk := NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := New(t, WithClock(clk), WithChannel(testGuild, testChannel))
	s.BadGatewayUntil(clk.Now().Add(10 * time.Second))
	c := &http.Client{Transport: s.Transport()}
	resp, body := rawPost(t, c, s, testChannel)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, string(body), "502 Bad Gateway")
	assert.Empty(t, s.Messages(testChannel), "nothing was processed")
	clk.Advance(10 * time.Second)
	resp, _ = rawPost(t, c, s, testChannel)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Len(t, s.Messages(testChannel), 1)
}

func TestRefuseConnections(t *testing.T) {
	t.Parallel()
	s := New(t, WithChannel(testGuild, testChannel))
	dg := restSession(t, s)
	// A kept-alive connection would fail as a reset, not a refusal.
	dg.Client.Transport = rewrite{base: s.APIBase(), next: &http.Transport{DisableKeepAlives: true}}
	_, err := dg.ChannelMessageSend(testChannel, "before")
	require.NoError(t, err)
	s.RefuseConnections()
	_, err = dg.ChannelMessageSend(testChannel, "during")
	var op *net.OpError
	require.True(t, errors.As(err, &op), "%v", err)
	assert.Equal(t, "dial", op.Op, "refused before anything was sent")
	_, err = (&http.Client{Transport: s.Transport()}).Get(discordgo.EndpointGateway)
	require.True(t, errors.As(err, &op))
	require.NoError(t, s.AcceptConnections())
	_, err = dg.ChannelMessageSend(testChannel, "after")
	require.NoError(t, err)
	assert.Len(t, s.Messages(testChannel), 2)
}

func TestPremiumTierRaisesTheUploadLimit(t *testing.T) {
	t.Parallel()
	const boosted, boostedChannel = "900000000000000011", "900000000000000012"
	s := New(t, WithChannel(testGuild, testChannel), WithChannel(boosted, boostedChannel), WithPremiumTier(boosted, 2))
	dg := restSession(t, s)
	ch, err := dg.Channel(boostedChannel)
	require.NoError(t, err)
	assert.Equal(t, boosted, ch.GuildID)
	g, err := dg.Guild(boosted)
	require.NoError(t, err)
	assert.Equal(t, discordgo.PremiumTier2, g.PremiumTier)
	big := func() *discordgo.MessageSend {
		return &discordgo.MessageSend{Files: []*discordgo.File{{Name: "a.log", Reader: bytes.NewReader(make([]byte, 11<<20))}}}
	}
	_, err = dg.ChannelMessageSendComplex(boostedChannel, big())
	require.NoError(t, err, "11 MiB fits tier 2's 50 MiB")
	_, err = dg.ChannelMessageSendComplex(testChannel, big())
	status, _ := restCode(t, err)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status, "not in an unboosted guild")
	_, err = dg.Guild("900000000000000099")
	status, _ = restCode(t, err)
	assert.Equal(t, http.StatusNotFound, status)
}
