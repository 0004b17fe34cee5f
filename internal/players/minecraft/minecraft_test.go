package minecraft_test

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/players/minecraft"
	"github.com/panelbot/panelbot/internal/players/playerstest"
)

func query(t *testing.T, addr string) (players.Count, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	return minecraft.New().Query(ctx, addr)
}

func TestQuery(t *testing.T) {
	want := players.Count{Online: 2, Max: 20, Names: []string{"alice", "bob"}}
	got, err := query(t, playerstest.Minecraft(t, want))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestQuerySilent(t *testing.T) {
	start := time.Now()
	_, err := query(t, playerstest.Silent(t))
	assert.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestQueryBadAddress(t *testing.T) {
	for _, a := range []string{"", "host", "host:0", "host:70000"} {
		_, err := query(t, a)
		assert.Error(t, err, a)
	}
}

// A server announcing a huge packet is refused before anything is allocated.
func TestQueryHugePacket(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write(minecraft.AppendVarInt(nil, 1<<30))
		bufio.NewReader(c).ReadByte()
	}()
	_, err = query(t, l.Addr().String())
	assert.ErrorIs(t, err, minecraft.ErrTooLarge)
}

func TestVarInt(t *testing.T) {
	for _, v := range []int32{0, 1, 127, 128, 255, 25565, 2097151, 2147483647, -1, -2147483648} {
		b := minecraft.AppendVarInt(nil, v)
		got, err := minecraft.ReadVarInt(bytes.NewReader(b))
		require.NoError(t, err)
		assert.Equal(t, v, got)
	}
	assert.Equal(t, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, minecraft.AppendVarInt(nil, -1))
	_, err := minecraft.ReadVarInt(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0x01}))
	assert.ErrorIs(t, err, minecraft.ErrVarInt)
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name string
		json string
		ok   bool
		want players.Count
	}{
		{"counts", `{"players":{"max":10,"online":0}}`, true, players.Count{Max: 10}},
		{"sample", `{"players":{"max":10,"online":1,"sample":[{"name":"a","id":"x"},{"name":""}]}}`, true, players.Count{Online: 1, Max: 10, Names: []string{"a"}}},
		{"no players", `{"version":{}}`, false, players.Count{}},
		{"negative", `{"players":{"max":-1,"online":1}}`, false, players.Count{}},
		{"not json", `hello`, false, players.Count{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := minecraft.AppendVarInt([]byte{0}, int32(len(tt.json)))
			got, err := minecraft.ParseStatus(append(body, tt.json...))
			if !tt.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
