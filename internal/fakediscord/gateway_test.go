package fakediscord

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type payload struct {
	Op int             `json:"op"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
	D  json.RawMessage `json:"d"`
}

// dial opens a raw gateway connection and consumes HELLO.
func dial(t *testing.T, s *Server) *websocket.Conn {
	t.Helper()
	c := dialRaw(t, s, "/?v=10&encoding=json")
	hello := read(t, c)
	require.Equal(t, 10, hello.Op)
	var h struct {
		Interval int64 `json:"heartbeat_interval"`
	}
	require.NoError(t, json.Unmarshal(hello.D, &h))
	require.Equal(t, int64(45000), h.Interval)
	return c
}

func dialRaw(t *testing.T, s *Server, query string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(s.GatewayURL()+query, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func read(t *testing.T, c *websocket.Conn) payload {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(patience)))
	var p payload
	require.NoError(t, c.ReadJSON(&p))
	return p
}

func send(t *testing.T, c *websocket.Conn, op int, d any) {
	t.Helper()
	require.NoError(t, c.WriteJSON(map[string]any{"op": op, "d": d}))
}

func expectClose(t *testing.T, c *websocket.Conn, code int) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(patience)))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		require.True(t, errors.As(err, &ce), "want close %d, got %v", code, err)
		assert.Equal(t, code, ce.Code)
		return
	}
}

func identify(s *Server, intents int) map[string]any {
	return map[string]any{"token": "Bot " + s.Token(), "intents": intents, "properties": map[string]any{"os": "linux", "browser": "t", "device": "t"}}
}

func TestGatewayCloseCodes(t *testing.T) {
	t.Parallel()
	s := New(t)
	cases := []struct {
		name  string
		steps func(c *websocket.Conn)
		code  int
	}{
		{"unknown opcode", func(c *websocket.Conn) { send(t, c, 99, nil) }, 4001},
		{"not json", func(c *websocket.Conn) { require.NoError(t, c.WriteMessage(websocket.TextMessage, []byte("{"))) }, 4002},
		{"presence before identify", func(c *websocket.Conn) { send(t, c, 3, map[string]any{}) }, 4003},
		{"bad token", func(c *websocket.Conn) {
			d := identify(s, 1)
			d["token"] = "Bot nope"
			send(t, c, 2, d)
		}, 4004},
		{"identify twice", func(c *websocket.Conn) {
			send(t, c, 2, identify(s, 1))
			require.Equal(t, "READY", *read(t, c).T)
			send(t, c, 2, identify(s, 1))
		}, 4005},
		{"missing intents", func(c *websocket.Conn) {
			d := identify(s, 1)
			delete(d, "intents")
			send(t, c, 2, d)
		}, 4013},
		{"privileged intent", func(c *websocket.Conn) { send(t, c, 2, identify(s, IntentGuildMembers)) }, 4014},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s)
			tc.steps(c)
			expectClose(t, c, tc.code)
		})
	}
	t.Run("api version", func(t *testing.T) {
		expectClose(t, dialRaw(t, s, "/?v=6&encoding=json"), 4012)
	})
}

func TestGatewayHeartbeatAndPending(t *testing.T) {
	t.Parallel()
	s := New(t, WithGuild(testGuild))
	s.DispatchEvent("TYPING_START", map[string]any{"channel_id": "1"})
	c := dial(t, s)
	send(t, c, 1, nil)
	assert.Equal(t, 11, read(t, c).Op)
	send(t, c, 2, identify(s, IntentGuilds))
	ready := read(t, c)
	require.Equal(t, "READY", *ready.T)
	assert.Equal(t, int64(1), *ready.S)
	var r struct {
		SessionID string `json:"session_id"`
		User      struct {
			ID  string `json:"id"`
			Bot bool   `json:"bot"`
		} `json:"user"`
		Guilds []struct {
			ID          string `json:"id"`
			Unavailable bool   `json:"unavailable"`
		} `json:"guilds"`
		Resume string `json:"resume_gateway_url"`
	}
	require.NoError(t, json.Unmarshal(ready.D, &r))
	assert.NotEmpty(t, r.SessionID)
	assert.True(t, r.User.Bot)
	assert.Equal(t, s.GatewayURL(), r.Resume)
	require.Len(t, r.Guilds, 1)
	assert.True(t, r.Guilds[0].Unavailable)
	gc := read(t, c)
	assert.Equal(t, "GUILD_CREATE", *gc.T)
	pending := read(t, c)
	assert.Equal(t, "TYPING_START", *pending.T, "events dispatched before READY follow it")
	assert.Equal(t, int64(3), *pending.S)
	assert.Equal(t, 1, s.GatewayStats().Heartbeats)
}

func TestGatewayResumeReplays(t *testing.T) {
	t.Parallel()
	s := New(t)
	c := dial(t, s)
	send(t, c, 2, identify(s, IntentGuilds))
	var r struct {
		SessionID string `json:"session_id"`
	}
	require.NoError(t, json.Unmarshal(read(t, c).D, &r))
	s.DispatchEvent("A", map[string]any{})
	a := read(t, c)
	require.Equal(t, "A", *a.T)
	require.NoError(t, c.Close())
	s.WaitGateway(t, func(g GatewayStats) bool { return !g.Live })
	s.DispatchEvent("B", map[string]any{})
	s.DispatchEvent("C", map[string]any{})

	unknown := dial(t, s)
	send(t, unknown, 6, map[string]any{"token": "Bot " + s.Token(), "session_id": "nope", "seq": 1})
	inv := read(t, unknown)
	assert.Equal(t, 9, inv.Op)
	assert.JSONEq(t, "false", string(inv.D))

	ahead := dial(t, s)
	send(t, ahead, 6, map[string]any{"token": "Bot " + s.Token(), "session_id": r.SessionID, "seq": 99})
	expectClose(t, ahead, 4007)

	c2 := dial(t, s)
	send(t, c2, 6, map[string]any{"token": "Bot " + s.Token(), "session_id": r.SessionID, "seq": *a.S})
	var got []string
	for range 3 {
		got = append(got, *read(t, c2).T)
	}
	assert.Equal(t, []string{"B", "C", "RESUMED"}, got)
	st := s.GatewayStats()
	assert.True(t, st.Live)
	assert.Equal(t, 1, st.Resumes)
	assert.Equal(t, 1, st.InvalidSessions)
}
