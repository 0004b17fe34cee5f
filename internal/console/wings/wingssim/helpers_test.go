package wingssim

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

const uuid = "0f3a2d1c-aaaa-4bbb-8ccc-000000000001"

func dial(t testing.TB, n *Node, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws, resp, err := websocket.DefaultDialer.Dial(n.SocketURL(uuid), h)
	if err == nil {
		t.Cleanup(func() { _ = ws.Close() })
	}
	return ws, resp, err
}

func connect(t testing.TB, n *Node) *websocket.Conn {
	t.Helper()
	ws, _, err := dial(t, n, n.Origin())
	require.NoError(t, err)
	return ws
}

func send(t testing.TB, ws *websocket.Conn, event string, args ...string) {
	t.Helper()
	data, err := json.Marshal(message{Event: event, Args: args})
	require.NoError(t, err)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, data))
}

func read(t testing.TB, ws *websocket.Conn) message {
	t.Helper()
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, data, err := ws.ReadMessage()
	require.NoError(t, err)
	var m message
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

func expect(t testing.TB, ws *websocket.Conn, event string, args ...string) {
	t.Helper()
	m := read(t, ws)
	require.Equal(t, event, m.Event, "args %q", m.Args)
	if len(args) > 0 {
		require.Equal(t, args, m.Args)
	}
}

// readClose reads until the connection ends and returns the error.
func readClose(t testing.TB, ws *websocket.Conn) error {
	t.Helper()
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(5*time.Second)))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			return err
		}
	}
}

func token(t testing.TB, n *Node) string {
	t.Helper()
	tok, _, err := n.Credentials(uuid)
	require.NoError(t, err)
	return tok
}

// authed connects and authenticates, consuming the first-auth answers.
func authed(t testing.TB, n *Node) *websocket.Conn {
	t.Helper()
	ws := connect(t, n)
	send(t, ws, "auth", token(t, n))
	expect(t, ws, "auth success")
	m := read(t, ws)
	require.Equal(t, "status", m.Event)
	if m.Args[0] == "offline" {
		expect(t, ws, "stats")
	}
	return ws
}

// settle waits until the node has read frames frames on the server's open
// sockets and every handler has returned, so that all it will answer is
// on its way.
func settle(t testing.TB, n *Node, frames int) {
	t.Helper()
	n.Await("the node to answer every frame", func() bool {
		return n.OpenReceived(uuid) == frames && n.Handling(uuid) == 0
	})
}

// sent lists the events written on the server's socket i, in wire order.
func sent(n *Node, i int) []string {
	var out []string
	for _, f := range n.History(uuid)[i].Sent {
		out = append(out, f.Event)
	}
	return out
}

// mint signs claims for the node's server, valid from the node's clock.
func mint(n *Node, edit func(*claims)) string {
	n.mu.Lock()
	c := n.claimsFor(uuid)
	n.mu.Unlock()
	if edit != nil {
		edit(&c)
	}
	return signJWT(n.secret, c)
}
