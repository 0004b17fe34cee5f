package zamptosim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
	"github.com/panelbot/panelbot/internal/panel/internal/testkit"
	"github.com/panelbot/panelbot/internal/panel/zampto/zamptosim"
)

type answer struct {
	status  int
	header  http.Header
	success bool
	message string
	raw     string
}

// send makes one raw request; auth "" sends no Authorization header.
func send(t *testing.T, sim *zamptosim.Sim, method, path, auth, contentType, body string) answer {
	t.Helper()
	resp, raw := testkit.Send(t, sim.URL(), method, path, auth, contentType, body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	var env struct {
		Success bool   `json:"success"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &env) == nil {
		a.success, a.message = env.Success, env.Message
	}
	return a
}

func newSim(t *testing.T, opts ...zamptosim.Option) *zamptosim.Sim {
	return zamptosim.New(t, append([]zamptosim.Option{zamptosim.WithRateLimit(1000, time.Second)}, opts...)...)
}

func TestRefusesEveryMalformedAuthorization(t *testing.T) {
	sim := newSim(t)
	tests := []struct {
		name, auth string
		status     int
		message    string
	}{
		{"missing header", "", 400, zamptosim.MsgMissingAuth},
		{"other scheme", "Token " + sim.Token(), 400, zamptosim.MsgAuthFormat},
		{"lower-case bearer", "bearer " + sim.Token(), 400, zamptosim.MsgAuthFormat},
		{"bare key", sim.Token(), 400, zamptosim.MsgAuthFormat},
		{"bearer without space", "Bearer" + sim.Token(), 400, zamptosim.MsgAuthFormat},
		{"short token", "Bearer abc123", 400, zamptosim.MsgInvalidToken},
		// HTTP trims the trailing space, so "Bearer " arrives as "Bearer".
		{"bearer alone", "Bearer ", 400, zamptosim.MsgAuthFormat},
		{"one-character token", "Bearer x", 400, zamptosim.MsgInvalidToken},
		{"sql injection", "Bearer abcdefghijklmnopqrst' OR 1=1 --", 400, zamptosim.MsgTokenFormat},
		{"xss", "Bearer <script>alert(1)</script>xxxx", 400, zamptosim.MsgTokenFormat},
		{"unknown key", "Bearer " + strings.Repeat("f", 40), 401, zamptosim.MsgInvalidKey},
		{"key with a suffix", "Bearer " + sim.Token() + "x", 401, zamptosim.MsgInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/list", "/start"} {
				method := http.MethodGet
				if path == "/start" {
					method = http.MethodPost
				}
				a := send(t, sim, method, path, tt.auth, "application/json", `{"server":1}`)
				assert.Equal(t, tt.status, a.status, path)
				assert.Equal(t, tt.message, a.message, path)
				assert.False(t, a.success, path)
			}
		})
	}
	assert.Equal(t, zamptosim.StateOffline, sim.State(1), "no refused request may change a server")
}

func TestDisabledKeyIsUnauthorized(t *testing.T) {
	sim := newSim(t)
	sim.SetKeyActive(false)
	a := send(t, sim, http.MethodGet, "/list", "Bearer "+sim.Token(), "", "")
	assert.Equal(t, 401, a.status)
	assert.Equal(t, zamptosim.MsgInvalidKey, a.message)
	sim.SetKeyActive(true)
	assert.Equal(t, 200, send(t, sim, http.MethodGet, "/list", "Bearer "+sim.Token(), "", "").status)
}

func TestRefusesBadPowerBodies(t *testing.T) {
	sim := newSim(t, zamptosim.WithServers(
		zamptosim.Server{ID: 1, Name: "mine", UUID: "u-1"},
		zamptosim.Server{ID: 2, Name: "theirs", UUID: "u-2", OtherAccount: true},
		zamptosim.Server{ID: 3, Name: "fresh"},
	))
	tests := []struct {
		name, contentType, body string
		status                  int
		message                 string
	}{
		{"not json", "application/json", `{"server":`, 400, zamptosim.MsgInvalidJSON},
		{"trailing garbage", "application/json", `{"server":1}}`, 400, zamptosim.MsgInvalidJSON},
		{"json scalar", "application/json", `1`, 400, zamptosim.MsgInvalidJSON},
		{"no content type", "", `{"server":1}`, 400, zamptosim.MsgServerRequired},
		{"form body", "application/x-www-form-urlencoded", `server=1`, 400, zamptosim.MsgServerRequired},
		{"empty body", "application/json", ``, 400, zamptosim.MsgServerRequired},
		{"no server field", "application/json", `{"id":1}`, 400, zamptosim.MsgServerRequired},
		{"null server", "application/json", `{"server":null}`, 400, zamptosim.MsgServerRequired},
		{"array body", "application/json", `[1]`, 400, zamptosim.MsgServerRequired},
		{"string server", "application/json", `{"server":"1"}`, 400, zamptosim.MsgInvalidServer},
		{"fraction", "application/json", `{"server":1.5}`, 400, zamptosim.MsgInvalidServer},
		{"bool", "application/json", `{"server":true}`, 400, zamptosim.MsgInvalidServer},
		{"unknown id", "application/json", `{"server":99}`, 403, zamptosim.MsgNotFound},
		{"negative id", "application/json", `{"server":-1}`, 403, zamptosim.MsgNotFound},
		{"another account's", "application/json", `{"server":2}`, 403, zamptosim.MsgNotFound},
		{"not yet synced", "application/json", `{"server":3}`, 422, zamptosim.MsgNotSynced},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := send(t, sim, http.MethodPost, "/start", "Bearer "+sim.Token(), tt.contentType, tt.body)
			assert.Equal(t, tt.status, a.status)
			assert.Equal(t, tt.message, a.message)
		})
	}
	assert.Equal(t, zamptosim.StateOffline, sim.State(1))
	assert.Equal(t, zamptosim.StateOffline, sim.State(2))
}

func TestPowerChangesState(t *testing.T) {
	sim := newSim(t)
	auth := "Bearer " + sim.Token()
	for _, step := range []struct{ path, want string }{
		{"/start", zamptosim.StateRunning}, {"/stop", zamptosim.StateOffline},
		{"/restart", zamptosim.StateRunning}, {"/kill", zamptosim.StateOffline},
	} {
		a := send(t, sim, http.MethodPost, step.path, auth, "application/json; charset=utf-8", `{"server": 1}`)
		require.Equal(t, 200, a.status, step.path)
		assert.True(t, a.success)
		assert.Equal(t, "Success", a.message)
		assert.Equal(t, step.want, sim.State(1), step.path)
	}
	assert.Equal(t, 1, sim.Count(http.MethodPost, "/kill"))
}

func TestListMatchesTheDocument(t *testing.T) {
	sim := newSim(t, zamptosim.WithServers(
		zamptosim.Server{ID: 1, Name: "Minecraft Server", UUID: "u", MemoryMB: 4096, DiskMB: 51200, CPU: 4, NodeID: 1},
		zamptosim.Server{ID: 7, Name: "hidden", UUID: "v", OtherAccount: true},
	))
	a := send(t, sim, http.MethodGet, "/list", "Bearer "+sim.Token(), "", "")
	require.Equal(t, 200, a.status)
	var body struct {
		Success bool             `json:"success"`
		Data    []map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(a.raw), &body))
	assert.True(t, body.Success)
	require.Len(t, body.Data, 1, "another account's server is not listed")
	for _, k := range []string{"id", "name", "memory", "disk", "cpu", "backups", "allocations", "creation_timestamp",
		"uuid", "identifier", "main_allocation_port", "node_id", "created_by"} {
		assert.Contains(t, body.Data[0], k)
	}
	assert.NotContains(t, body.Data[0], "state", "zampto's list reports no power state")
}

func TestHealthNeedsNoKeyAndUnknownRoutesAre404(t *testing.T) {
	sim := newSim(t)
	a := send(t, sim, http.MethodGet, "/health", "", "", "")
	assert.Equal(t, 200, a.status)
	assert.Contains(t, a.raw, `"status":"ok"`)

	a = send(t, sim, http.MethodGet, "/start", "Bearer "+sim.Token(), "", "")
	assert.Equal(t, 404, a.status)
	assert.Contains(t, a.raw, "Cannot GET /start")
	a = send(t, sim, http.MethodGet, "/servers", "", "", "")
	assert.Equal(t, 400, a.status, "the key is checked before the route")
}

func TestRateLimitIsFivePerTenSecondsOnTheClock(t *testing.T) {
	clk := simkit.NewClock(time.Date(2026, 5, 3, 12, 0, 0, 0, time.UTC))
	sim := zamptosim.New(t, zamptosim.WithClock(clk))
	auth := "Bearer " + sim.Token()
	for i := 0; i < 5; i++ {
		require.Equal(t, 200, send(t, sim, http.MethodGet, "/list", auth, "", "").status, "request %d", i+1)
		clk.Advance(time.Second)
	}
	a := send(t, sim, http.MethodGet, "/health", "", "", "")
	assert.Equal(t, 429, a.status, "the sixth request within 10 s")
	assert.Equal(t, zamptosim.MsgTooMany, a.message)
	assert.Equal(t, "5", a.header.Get("Retry-After"), "the first request leaves the window 5 s later")

	clk.Advance(5*time.Second - time.Millisecond)
	assert.Equal(t, 429, send(t, sim, http.MethodGet, "/list", auth, "", "").status, "still inside the window")
	clk.Advance(time.Millisecond)
	assert.Equal(t, 200, send(t, sim, http.MethodGet, "/list", auth, "", "").status)
	assert.Equal(t, 2, sim.CountStatus(429))
}

func TestFailureInjectionAndDown(t *testing.T) {
	sim := newSim(t)
	auth := "Bearer " + sim.Token()
	sim.FailNext("/st", 500, 1)
	a := send(t, sim, http.MethodPost, "/start", auth, "application/json", `{"server":1}`)
	assert.Equal(t, 500, a.status)
	assert.Equal(t, zamptosim.MsgPowerFailed, a.message)
	assert.Equal(t, zamptosim.StateOffline, sim.State(1), "a failed signal changes nothing")

	sim.FailNext("/list", 500, 1)
	assert.Equal(t, zamptosim.MsgInternal, send(t, sim, http.MethodGet, "/list", auth, "", "").message)
	assert.Equal(t, 200, send(t, sim, http.MethodGet, "/list", auth, "", "").status, "only n failures")

	sim.FailNextWith("/list", 400, zamptosim.MsgInvalidToken, 1)
	assert.Equal(t, zamptosim.MsgInvalidToken, send(t, sim, http.MethodGet, "/list", auth, "", "").message)

	sim.SetDown(true)
	_, err := http.Get(sim.URL() + "/health")
	assert.Error(t, err, "a down API drops the connection")
	sim.SetDown(false)
	assert.Equal(t, 200, send(t, sim, http.MethodGet, "/health", "", "", "").status)
}
