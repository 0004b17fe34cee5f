package a2s_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/players/a2s"
	"github.com/panelbot/panelbot/internal/players/playerstest"
)

func query(addr string) (players.Count, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	return a2s.New().Query(ctx, addr)
}

func TestQuery(t *testing.T) {
	want := players.Count{Online: 3, Max: 24, Names: []string{"alice", "bob", "carol"}}
	got, err := query(playerstest.A2S(t, want))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestQuerySilent(t *testing.T) {
	_, err := query(playerstest.Silent(t))
	assert.Error(t, err)
}

// reply starts a UDP server answering every datagram with resp.
func reply(t *testing.T, resp []byte) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			_, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(resp, from)
		}
	}()
	return pc.LocalAddr().String()
}

func TestQueryMultiPacket(t *testing.T) {
	_, err := query(reply(t, []byte{0xFE, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 2, 0}))
	assert.ErrorIs(t, err, a2s.ErrMultiPacket)
}

// A server that answers every request with a new challenge is given up on.
func TestQueryEndlessChallenges(t *testing.T) {
	_, err := query(reply(t, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0x41, 1, 2, 3, 4}))
	assert.ErrorContains(t, err, "too many challenges")
}

func TestParseInfoGoldSource(t *testing.T) {
	p := []byte("m127.0.0.1:27015\x00Half-Life\x00crossfire\x00valve\x00Half-Life\x00\x05\x10\x2f")
	c, err := a2s.ParseInfo(p)
	require.NoError(t, err)
	assert.Equal(t, players.Count{Online: 5, Max: 16}, c)
}

func TestParsePlayersSkipsUnnamed(t *testing.T) {
	resp := playerstest.PlayerResponse(players.Count{Names: []string{"a", "", "b"}})
	_, body, err := a2s.Split(resp)
	require.NoError(t, err)
	names, err := a2s.ParsePlayers(append([]byte{'D'}, body...))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, names)
	_, err = a2s.ParsePlayers(append([]byte{'D'}, body[:len(body)-3]...))
	assert.Error(t, err)
}
