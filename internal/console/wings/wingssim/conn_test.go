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

func TestOriginMustEqualThePanelURLExactly(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	for _, origin := range []string{"", "https://evil.example.com", n.Origin() + "/", "HTTPS://panel.example.com"} {
		_, resp, err := dial(t, n, origin)
		require.Error(t, err, "origin %q", origin)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, "origin %q", origin)
		var body map[string]string
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		assert.Equal(t, "An unexpected error was encountered while processing this request", body["error"])
		assert.Len(t, body["request_id"], 36)
	}
	connect(t, n)
}

func TestUnknownServerIs404(t *testing.T) {
	n := New(t)
	_, resp, err := dial(t, n, n.Origin())
	require.Error(t, err)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestSocketCapIsPelicans(t *testing.T) {
	p := New(t, WithPelican())
	p.SetState(uuid, "offline")
	for range 30 {
		connect(t, p)
	}
	_, resp, err := dial(t, p, p.Origin())
	require.Error(t, err)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	assert.JSONEq(t, `{"error":"Too many open websocket connections."}`, string(body))

	n := New(t)
	n.SetState(uuid, "offline")
	for range 31 {
		connect(t, n)
	}
	n.Await("31 sockets", func() bool { return n.Sockets(uuid) == 31 })
}

func TestReadLimitIsPelicans(t *testing.T) {
	big := strings.Repeat("x", 5000)
	p := New(t, WithPelican())
	p.SetState(uuid, "running")
	ws := authed(t, p)
	send(t, ws, "send command", big)
	_, _, err := ws.ReadMessage()
	require.True(t, websocket.IsCloseError(err, websocket.CloseMessageTooBig), "got %v", err)

	n := New(t)
	n.SetState(uuid, "running")
	ws = authed(t, n)
	send(t, ws, "send command", big)
	n.Await("the command", func() bool { return len(n.Commands(uuid)) == 1 })
}

func TestPelicanPerEventLimitThrottlesOncePerEpisode(t *testing.T) {
	n := New(t, WithPelican(), WithStatsEvery(0))
	n.SetState(uuid, "running")
	ws := authed(t, n) // one auth of the burst of 2 spent
	send(t, ws, "auth", token(t, n))
	expect(t, ws, "auth success")
	send(t, ws, "auth", token(t, n))
	expect(t, ws, "throttled", "auth")
	send(t, ws, "auth", token(t, n)) // same episode: silently dropped
	settle(t, n, 4)
	assert.Equal(t, 1, n.Throttled())
	assert.Equal(t, 2, n.Auths(uuid))
	n.Advance(5 * time.Second)
	send(t, ws, "auth", token(t, n))
	expect(t, ws, "auth success")
}

func TestPelicanGlobalLimitThrottles(t *testing.T) {
	n := New(t, WithPelican(), WithStatsEvery(0))
	n.SetState(uuid, "running")
	ws := authed(t, n) // 1 frame of the burst of 10
	for i := range 11 {
		send(t, ws, "send command", fmt.Sprint("say ", i))
	}
	expect(t, ws, "throttled", "global")
	settle(t, n, 12)
	assert.Len(t, n.Commands(uuid), 9)
	assert.Equal(t, 1, n.Throttled())
}

func TestBadJSONIsDroppedSilently(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := authed(t, n)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"event":"send stats","args":[1]}`)))
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`not json`)))
	settle(t, n, 3)
	assert.Equal(t, []string{"auth success", "status"}, sent(n, 0))
}

func TestNeitherDaemonClosesAnUnauthenticatedSocket(t *testing.T) {
	for _, opts := range [][]Option{nil, {WithPelican()}} {
		n := New(t, opts...)
		n.SetState(uuid, "running")
		ws := connect(t, n)
		n.Advance(time.Hour)
		send(t, ws, "auth", token(t, n))
		expect(t, ws, "auth success")
	}
}

func TestUnknownEventsAreIgnored(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := authed(t, n)
	send(t, ws, "make coffee")
	settle(t, n, 2)
	assert.Equal(t, 1, n.EventCounts(uuid)["make coffee"])
	n.Inject(uuid, "daemon message", "hello")
	expect(t, ws, "daemon message", "hello")
	n.InjectRaw(uuid, []byte(`{"event":"feature match","args":["{}"]}`))
	expect(t, ws, "feature match")
}

func TestPowerActionsNeedPermissions(t *testing.T) {
	n := New(t, WithPermissions("websocket.connect", "control.start"))
	n.SetState(uuid, "offline")
	ws := authed(t, n)
	send(t, ws, "set state", "stop") // denied: silently ignored
	send(t, ws, "set state", "start")
	expect(t, ws, "status", "starting")
	expect(t, ws, "status", "running")
}
