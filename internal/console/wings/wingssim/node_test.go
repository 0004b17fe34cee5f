package wingssim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const uuid = "0f3a2d1c-aaaa-4bbb-8ccc-000000000001"

func dial(t *testing.T, n *Node, origin string) (*websocket.Conn, *http.Response, error) {
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

func connect(t *testing.T, n *Node) *websocket.Conn {
	t.Helper()
	ws, _, err := dial(t, n, n.Origin())
	require.NoError(t, err)
	return ws
}

func send(t *testing.T, ws *websocket.Conn, event string, args ...string) {
	t.Helper()
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, encode(event, args)))
}

func read(t *testing.T, ws *websocket.Conn) message {
	t.Helper()
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, data, err := ws.ReadMessage()
	require.NoError(t, err)
	var m message
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

func expect(t *testing.T, ws *websocket.Conn, event string, args ...string) {
	t.Helper()
	m := read(t, ws)
	require.Equal(t, event, m.Event, "args %q", m.Args)
	if len(args) > 0 {
		require.Equal(t, args, m.Args)
	}
}

// authed connects and authenticates, consuming the first-auth answers.
func authed(t *testing.T, n *Node) *websocket.Conn {
	t.Helper()
	ws := connect(t, n)
	tok, _, err := n.Credentials(uuid)
	require.NoError(t, err)
	send(t, ws, "auth", tok)
	expect(t, ws, "auth success")
	m := read(t, ws)
	require.Equal(t, "status", m.Event)
	if m.Args[0] == "offline" {
		expect(t, ws, "stats")
	}
	return ws
}

// barrier proves every earlier frame was handled: the node answers inbound
// frames in order, so once the stats reply arrives nothing else is pending.
func barrier(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	send(t, ws, "send stats")
	expect(t, ws, "stats")
}

func TestOriginIsRequired(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	for _, origin := range []string{"", "https://evil.example.com", n.Origin() + "/"} {
		_, resp, err := dial(t, n, origin)
		require.Error(t, err, "origin %q", origin)
		require.NotNil(t, resp)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "origin %q", origin)
	}
	_ = connect(t, n)
}

func TestUnknownServerIs404(t *testing.T) {
	n := New(t)
	_, resp, err := dial(t, n, n.Origin())
	require.Error(t, err)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestTooManySockets(t *testing.T) {
	n := New(t, WithMaxSockets(2))
	n.SetState(uuid, "offline")
	connect(t, n)
	connect(t, n)
	_, resp, err := dial(t, n, n.Origin())
	require.Error(t, err)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	assert.JSONEq(t, `{"error":"Too many open websocket connections."}`, string(body))
}

func TestFirstAuthAndReauth(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "offline")
	ws := connect(t, n)
	send(t, ws, "send logs") // before auth: refused
	expect(t, ws, "jwt error", "jwt: no jwt present")
	tok, _, err := n.Credentials(uuid)
	require.NoError(t, err)
	send(t, ws, "auth", tok)
	expect(t, ws, "auth success")
	expect(t, ws, "status", "offline")
	expect(t, ws, "stats")
	send(t, ws, "auth", tok)
	expect(t, ws, "auth success")
	barrier(t, ws) // nothing but auth success came for the re-auth
	assert.Equal(t, 2, n.Auths(uuid))
}

func TestRunningServerGetsNoStatsAtAuthButEverySecond(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := connect(t, n)
	tok, _, _ := n.Credentials(uuid)
	send(t, ws, "auth", tok)
	expect(t, ws, "auth success")
	expect(t, ws, "status", "running")
	n.Advance(2 * time.Second)
	expect(t, ws, "stats")
	expect(t, ws, "stats")
}

func TestExpiryReplacesEveryEventAndKeepsSocketOpen(t *testing.T) {
	n := New(t, WithTokenLifetime(90*time.Second), WithStatsEvery(0))
	n.SetState(uuid, "running")
	ws := authed(t, n)
	n.Advance(30 * time.Second) // exp - now = 60
	expect(t, ws, "token expiring")
	n.Advance(30 * time.Second) // 30
	expect(t, ws, "token expiring")
	n.Advance(30 * time.Second) // 0: the tick lands on the very second
	expect(t, ws, "token expired")
	n.Advance(time.Second)
	n.Emit(uuid, "lost line")
	expect(t, ws, "jwt error", "jwt: exp claim is invalid")
	send(t, ws, "send logs")
	expect(t, ws, "jwt error", "jwt: exp claim is invalid")

	tok, _, _ := n.Credentials(uuid)
	send(t, ws, "auth", tok)
	expect(t, ws, "auth success")
	n.Emit(uuid, "visible line")
	expect(t, ws, "console output", "visible line")
}

func TestSendLogsReplaysTheLast150LinesOnlyWhenRunning(t *testing.T) {
	n := New(t, WithStallTimeout(time.Minute)) // a loaded machine must not look like a stalled client
	n.SetState(uuid, "running")
	ws := authed(t, n)
	lines := make([]string, 200)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i)
	}
	n.Emit(uuid, lines...)
	for _, l := range lines {
		expect(t, ws, "console output", l)
	}
	send(t, ws, "send logs")
	for _, l := range lines[50:] {
		expect(t, ws, "console output", l)
	}
	n.SetState(uuid, "offline")
	expect(t, ws, "status", "offline")
	expect(t, ws, "stats")
	n.Advance(10 * time.Second) // refill the send logs bucket
	send(t, ws, "send logs")
	barrier(t, ws)
}

func TestStartingFromOfflineEmptiesTheLog(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	n.Emit(uuid, "old run")
	n.SetState(uuid, "offline")
	n.SetState(uuid, "starting")
	ws := authed(t, n)
	send(t, ws, "send logs")
	barrier(t, ws)
}

func TestPerEventLimitThrottlesOncePerEpisode(t *testing.T) {
	n := New(t, WithStatsEvery(0))
	n.SetState(uuid, "running")
	ws := authed(t, n) // one auth spent
	tok, _, _ := n.Credentials(uuid)
	send(t, ws, "auth", tok)
	expect(t, ws, "auth success")
	send(t, ws, "auth", tok)
	expect(t, ws, "throttled", "auth")
	send(t, ws, "auth", tok) // same episode: silently dropped
	barrier(t, ws)
	assert.Equal(t, 1, n.Throttled())
	n.Advance(5 * time.Second)
	send(t, ws, "auth", tok)
	expect(t, ws, "auth success")
}

func TestGlobalLimitThrottles(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := authed(t, n) // 1 frame of the burst of 10
	for i := range 11 {
		send(t, ws, "send command", fmt.Sprint("say ", i))
	}
	expect(t, ws, "throttled", "global")
	// The throttled answer can overtake the last frames: refill the bucket
	// only once the node has read them all.
	n.Await("every frame read", func() bool { return n.Received(uuid) == 12 })
	n.Advance(3 * time.Second)
	barrier(t, ws)
	assert.Len(t, n.Commands(uuid), 9)
	assert.Equal(t, 1, n.Throttled())
}

func TestBadJSONIsDroppedSilently(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := authed(t, n)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"event":"send stats","args":[1]}`)))
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`not json`)))
	barrier(t, ws)
}

func TestOversizedFrameClosesWith1009(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := authed(t, n)
	send(t, ws, "send command", strings.Repeat("x", 5000))
	_, _, err := ws.ReadMessage()
	require.True(t, websocket.IsCloseError(err, websocket.CloseMessageTooBig), "got %v", err)
}

func TestSuspendedServerIsClosedWith4409(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := authed(t, n)
	n.Suspend(uuid)
	_, _, err := ws.ReadMessage()
	require.Error(t, err)
	assert.False(t, websocket.IsCloseError(err, 4409), "a live socket just drops")
	ws2 := connect(t, n)
	_, _, err = ws2.ReadMessage()
	require.True(t, websocket.IsCloseError(err, 4409), "got %v", err)
	assert.Contains(t, err.Error(), "server is suspended")
}

func TestRestartDenylistsOlderTokens(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	old, _, _ := n.Credentials(uuid)
	ws := authed(t, n)
	n.Restart()
	_, _, err := ws.ReadMessage()
	require.Error(t, err)
	ws = connect(t, n)
	send(t, ws, "auth", old)
	expect(t, ws, "jwt error", "jwt: created too far in past (denylist)")
	tok, _, _ := n.Credentials(uuid)
	send(t, ws, "auth", tok)
	expect(t, ws, "auth success")
}

func TestBadSignatureIsADaemonError(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := connect(t, n)
	tok, _, _ := n.Credentials(uuid)
	send(t, ws, "auth", tok[:len(tok)-4]+"AAAA")
	m := read(t, ws)
	assert.Equal(t, "daemon error", m.Event)
	assert.NotContains(t, m.Args[0], tok)
}

func TestConsoleThrottle(t *testing.T) {
	for _, pelican := range []bool{false, true} {
		opts := []Option{WithStatsEvery(0), WithStallTimeout(time.Minute)}
		want := "[Pterodactyl Daemon]: Server is outputting console data too quickly -- throttling..."
		if pelican {
			opts = append(opts, WithPelican())
			want = "[pelican Daemon]: Server is outputting console data too quickly -- throttling..."
		}
		n := New(t, opts...)
		n.SetState(uuid, "running")
		ws := authed(t, n)
		n.Flood(uuid, 2500)
		for i := range 2000 {
			expect(t, ws, "console output", fmt.Sprintf("flood line %d", i))
		}
		expect(t, ws, "console output", want)
		n.Advance(100 * time.Millisecond)
		n.Emit(uuid, "after")
		expect(t, ws, "console output", "after")
	}
}

func TestSendCommandNeedsConsolePermission(t *testing.T) {
	n := New(t, WithPermissions("websocket.connect"))
	n.SetState(uuid, "running")
	ws := authed(t, n)
	send(t, ws, "send command", "say hi")
	barrier(t, ws)
	assert.Empty(t, n.Commands(uuid))
}

func TestUnauthenticatedSocketIsClosedAfter30s(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := connect(t, n)
	n.Await("the socket", func() bool { return n.Sockets(uuid) == 1 })
	n.Advance(authGrace)
	_, _, err := ws.ReadMessage()
	require.Error(t, err)
}

func TestCredentialsClaims(t *testing.T) {
	for _, pelican := range []bool{false, true} {
		var opts []Option
		if pelican {
			opts = append(opts, WithPelican())
		}
		n := New(t, opts...)
		tok, socket, err := n.Credentials(uuid)
		require.NoError(t, err)
		assert.Equal(t, n.SocketURL(uuid), socket)
		c, err := parseJWT(n.secret, tok)
		require.NoError(t, err)
		now := n.Now().Unix()
		assert.Equal(t, now, c.IssuedAt)
		assert.Equal(t, now-300, c.NotBefore)
		lifetime := int64(600)
		scope := ""
		if pelican {
			lifetime, scope = 900, "websocket"
		}
		assert.Equal(t, now+lifetime, c.Expires)
		assert.Equal(t, scope, c.Scope)
		assert.Equal(t, []string{"*"}, c.Permissions)
		assert.Equal(t, n.Origin(), c.Issuer)
		assert.Equal(t, uuid, c.ServerUUID)
		assert.NotEmpty(t, c.ID)
		assert.NotEmpty(t, c.UniqueID)
	}
}

func TestPelicanNeedsScope(t *testing.T) {
	n := New(t, WithPelican())
	n.SetState(uuid, "running")
	ws := connect(t, n)
	now := n.Now().Unix()
	tok := signJWT(n.secret, claims{IssuedAt: now, Expires: now + 60, ServerUUID: uuid, Permissions: []string{"*"}})
	send(t, ws, "auth", tok)
	expect(t, ws, "jwt error", "jwt: invalid scope")
}

func TestTokenForAnotherServer(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	other, _, _ := n.Credentials("another-server")
	ws := connect(t, n)
	send(t, ws, "auth", other)
	expect(t, ws, "auth success")
	expect(t, ws, "jwt error", "jwt: server uuid mismatch")
}

func TestAfterFiresOnAdvance(t *testing.T) {
	n := New(t)
	ch := n.After(time.Second)
	select {
	case <-ch:
		t.Fatal("fired before Advance")
	default:
	}
	n.Advance(999 * time.Millisecond)
	select {
	case <-ch:
		t.Fatal("fired early")
	default:
	}
	n.Advance(time.Millisecond)
	got := <-ch
	assert.Equal(t, n.Now(), got)
	select {
	case <-n.After(0):
	default:
		t.Fatal("After(0) must fire at once")
	}
}

func TestStalledSocketDropsOldestConsoleLine(t *testing.T) {
	n := New(t)
	sock := &socket{wake: make(chan struct{}, 1)}
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := range consoleBuffer {
		sock.enqueue(n, []byte(fmt.Sprint(i)), true)
	}
	sock.enqueue(n, []byte("control"), false)
	assert.Equal(t, 0, n.dropped, "a writer that was just busy is not stalled")
	sock.progress = time.Now().Add(-time.Second)
	sock.enqueue(n, []byte("newest"), true)
	assert.Equal(t, 1, n.dropped)
	assert.Equal(t, "1", string(sock.queue[0].data), "the oldest line went")
	assert.Equal(t, "newest", string(sock.queue[len(sock.queue)-1].data))
}
