package shardsim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

func dialConsole(t *testing.T, sim *shardsim.Sim, id, auth string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(sim.URL(), "http")+"/v1/instances/"+id+"/console", h)
	if conn != nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, resp, err
}

func TestConsoleTakesOneCommandPerTextFrame(t *testing.T) {
	sim := shardsim.New(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1", Status: "running"}))
	conn, _, err := dialConsole(t, sim, "i-1", bearer(t, sim))
	require.NoError(t, err)
	require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte("say hi")))
	require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte("list")))
	require.Eventually(t, func() bool { return len(sim.Commands("i-1")) == 2 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, []string{"say hi", "list"}, sim.Commands("i-1"))
}

func TestConsoleRefusesWhatIsNotOneCommand(t *testing.T) {
	for name, frame := range map[string]struct {
		mt   int
		data string
	}{
		"binary":     {websocket.BinaryMessage, "say hi"},
		"empty":      {websocket.TextMessage, " "},
		"two lines":  {websocket.TextMessage, "say a\nstop"},
		"too long":   {websocket.TextMessage, strings.Repeat("x", 5000)},
		"bad utf-8":  {websocket.TextMessage, "say \xff"},
		"carriage r": {websocket.TextMessage, "say a\r"},
	} {
		t.Run(name, func(t *testing.T) {
			sim := shardsim.New(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1", Status: "running"}))
			conn, _, err := dialConsole(t, sim, "i-1", "Bearer "+sim.APIToken())
			require.NoError(t, err)
			require.NoError(t, conn.WriteMessage(frame.mt, []byte(frame.data)))
			var env map[string]string
			require.NoError(t, conn.ReadJSON(&env))
			assert.NotEmpty(t, env["error"], "the documented envelope")
			_, _, err = conn.ReadMessage()
			assert.True(t, websocket.IsCloseError(err, websocket.ClosePolicyViolation), "got %v", err)
			assert.Empty(t, sim.Commands("i-1"))
		})
	}
}

func TestConsoleHandshakeErrors(t *testing.T) {
	sim := shardsim.New(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1", Status: "running"},
		shardsim.Instance{ID: "i-off"}, shardsim.Instance{ID: "i-ro", Status: "running", ReadOnly: true}))
	auth := "Bearer " + sim.APIToken()
	for _, tc := range []struct {
		id, auth string
		status   int
	}{
		{"i-1", "", http.StatusUnauthorized},
		{"i-1", "Bearer eyJ.bad.token", http.StatusUnauthorized},
		{"nope", auth, http.StatusNotFound},
		{"i-off", auth, http.StatusConflict},
		{"i-ro", auth, http.StatusForbidden},
	} {
		_, resp, err := dialConsole(t, sim, tc.id, tc.auth)
		require.ErrorIs(t, err, websocket.ErrBadHandshake, tc.id)
		assert.Equal(t, tc.status, resp.StatusCode, tc.id)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	}
	status, _, out := call(t, sim, http.MethodGet, "/v1/instances/i-1/console", auth, "", "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "websocket upgrade required", out["error"])
}

func TestLogHistory(t *testing.T) {
	sim := shardsim.New(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1", Status: "running"}))
	sim.Emit("i-1", "one", "two")
	status, _, out := call(t, sim, http.MethodGet, "/v1/instances/i-1/logs/history", bearer(t, sim), "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []any{"one", "two"}, out["lines"])
	status, _, out = call(t, sim, http.MethodGet, "/v1/instances/i-1/logs/history", "", "", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "missing authorization header", out["error"])
	status, _, out = call(t, sim, http.MethodGet, "/v1/instances/nope/logs/history", "Bearer "+sim.APIToken(), "", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "instance not found", out["error"])
}
