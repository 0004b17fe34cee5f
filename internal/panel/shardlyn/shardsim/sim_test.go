package shardsim_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel/internal/testkit"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

// call sends one raw request and decodes the JSON answer.
func call(t *testing.T, sim *shardsim.Sim, method, path, auth, contentType, body string) (int, http.Header, map[string]any) {
	t.Helper()
	resp, raw := testkit.Send(t, sim.URL(), method, path, auth, contentType, body)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		require.NoError(t, json.Unmarshal(raw, &out), string(raw))
	}
	return resp.StatusCode, resp.Header, out
}

func login(t *testing.T, sim *shardsim.Sim, email, password string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	status, _, out := call(t, sim, http.MethodPost, "/v1/auth/login", "", "application/json", string(body))
	return status, out
}

func bearer(t *testing.T, sim *shardsim.Sim) string {
	t.Helper()
	status, out := login(t, sim, sim.Email(), sim.Password())
	require.Equal(t, http.StatusOK, status)
	return "Bearer " + out["access_token"].(string)
}

func TestLoginRefusesWhatTheAPIRefuses(t *testing.T) {
	sim := shardsim.New(t, shardsim.WithMFA("mfa@example.com"))
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		errText                 string
	}{
		{"no content type", "", `{"email":"bot@example.com","password":"x"}`, 400, "Content-Type must be application/json"},
		{"not json", "application/json", `{email`, 400, "invalid request body"},
		{"missing password", "application/json", `{"email":"bot@example.com"}`, 400, "email and password are required"},
		{"wrong password", "application/json", `{"email":"bot@example.com","password":"nope"}`, 401, "invalid email or password"},
		{"unknown email", "application/json", `{"email":"who@example.com","password":"nope"}`, 401, "invalid email or password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, out := call(t, sim, http.MethodPost, "/v1/auth/login", "", tc.contentType, tc.body)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.errText, out["error"])
		})
	}
	status, out := login(t, sim, "mfa@example.com", shardsim.DefaultPassword)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, true, out["mfa_required"])
	assert.Nil(t, out["access_token"])
}

func TestLoginAnswersTheDocumentedTokens(t *testing.T) {
	clk := shardsim.NewClock()
	sim := shardsim.New(t, shardsim.WithClock(clk))
	status, out := login(t, sim, sim.Email(), sim.Password())
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(900), out["expires_in"])
	assert.Equal(t, "Bearer", out["token_type"])
	assert.NotEmpty(t, out["refresh_token"])
	claims := jwtClaims(t, out["access_token"].(string))
	assert.Equal(t, float64(900), claims["exp"].(float64)-claims["iat"].(float64))
	assert.Equal(t, float64(clk.Now().Unix()), claims["iat"])
}

func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(raw, &c))
	return c
}

func TestLoginLocksTheAccountAfterRepeatedFailures(t *testing.T) {
	clk := shardsim.NewClock()
	sim := shardsim.New(t, shardsim.WithClock(clk), shardsim.WithLoginLockout(3, time.Minute))
	for range 3 {
		status, _ := login(t, sim, sim.Email(), "wrong")
		require.Equal(t, http.StatusUnauthorized, status)
	}
	status, out := login(t, sim, sim.Email(), sim.Password())
	assert.Equal(t, http.StatusTooManyRequests, status, "locked even with the right password")
	assert.Contains(t, out["error"], "locked")
	clk.Advance(time.Minute)
	status, _ = login(t, sim, sim.Email(), sim.Password())
	assert.Equal(t, http.StatusOK, status)
}

func TestRefreshRotatesAndRefusesReuse(t *testing.T) {
	sim := shardsim.New(t)
	_, out := login(t, sim, sim.Email(), sim.Password())
	body := `{"refresh_token":"` + out["refresh_token"].(string) + `"}`
	status, _, first := call(t, sim, http.MethodPost, "/v1/auth/refresh", "", "application/json", body)
	require.Equal(t, http.StatusOK, status)
	assert.NotEmpty(t, first["access_token"])
	status, _, again := call(t, sim, http.MethodPost, "/v1/auth/refresh", "", "application/json", body)
	assert.Equal(t, http.StatusUnauthorized, status, "a refresh token works once")
	assert.Equal(t, "invalid or expired refresh token", again["error"])
	status, _, _ = call(t, sim, http.MethodPost, "/v1/auth/refresh", "", "application/json", `{}`)
	assert.Equal(t, http.StatusBadRequest, status)
	// An access token is not a refresh token.
	status, _, _ = call(t, sim, http.MethodPost, "/v1/auth/refresh", "", "application/json",
		`{"refresh_token":"`+first["access_token"].(string)+`"}`)
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestProtectedEndpointsRefuseBadTokens(t *testing.T) {
	clk := shardsim.NewClock()
	sim := shardsim.New(t, shardsim.WithClock(clk))
	good := bearer(t, sim)
	_, out := login(t, sim, sim.Email(), sim.Password())
	refresh := "Bearer " + out["refresh_token"].(string)
	for _, tc := range []struct{ name, auth, errText string }{
		{"missing", "", "missing authorization header"},
		{"not bearer", "Token abc", "invalid authorization header"},
		{"garbage", "Bearer abc", "invalid token"},
		{"refresh token", refresh, "invalid token"},
		{"unknown api token", "Bearer shardlyn_api_nope", "invalid API token"},
	} {
		status, _, out := call(t, sim, http.MethodGet, "/v1/instances", tc.auth, "", "")
		assert.Equal(t, http.StatusUnauthorized, status, tc.name)
		assert.Equal(t, tc.errText, out["error"], tc.name)
	}
	status, _, _ := call(t, sim, http.MethodGet, "/v1/instances", "Bearer "+sim.APIToken(), "", "")
	assert.Equal(t, http.StatusOK, status, "API tokens are accepted")
	clk.Advance(15 * time.Minute)
	status, _, out = call(t, sim, http.MethodGet, "/v1/instances", good, "", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "token expired", out["error"])
	sim.RevokeAPIToken()
	status, _, _ = call(t, sim, http.MethodGet, "/v1/instances", "Bearer "+sim.APIToken(), "", "")
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestInstancesStateMachine(t *testing.T) {
	clk := shardsim.NewClock()
	sim := shardsim.New(t, shardsim.WithClock(clk), shardsim.WithTransition(5*time.Second),
		shardsim.WithInstances(
			shardsim.Instance{ID: "i-1", Name: "Survival"},
			shardsim.Instance{ID: "i-ro", Name: "Theirs", Status: "running", ReadOnly: true},
			shardsim.Instance{ID: "i-inst", Name: "New", Status: "installing"},
		))
	auth := bearer(t, sim)
	status, _, _ := call(t, sim, http.MethodPost, "/v1/instances/i-1/start", auth, "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "starting", sim.Status("i-1"))
	clk.Advance(5 * time.Second)
	_, _, got := call(t, sim, http.MethodGet, "/v1/instances/i-1", auth, "", "")
	assert.Equal(t, "running", got["status"])
	clk.Advance(time.Minute)
	_, _, st := call(t, sim, http.MethodGet, "/v1/instances/i-1/stats", auth, "", "")
	assert.Equal(t, 12.5, st["cpu_percent"])
	assert.Equal(t, float64(60), st["uptime_seconds"])
	status, _, _ = call(t, sim, http.MethodPost, "/v1/instances/i-1/kill", auth, "", "")
	require.Equal(t, http.StatusOK, status)
	_, _, st = call(t, sim, http.MethodGet, "/v1/instances/i-1/stats", auth, "", "")
	assert.Equal(t, float64(0), st["cpu_percent"])

	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/v1/instances/i-ro/stop", 403},
		{"/v1/instances/i-inst/start", 409},
		{"/v1/instances/nope/start", 404},
		{"/v1/instances/i-1/explode", 404},
	} {
		status, _, out := call(t, sim, http.MethodPost, tc.path, auth, "", "")
		assert.Equal(t, tc.status, status, tc.path)
		assert.NotEmpty(t, out["error"], tc.path)
	}
	status, _, _ = call(t, sim, http.MethodGet, "/v1/instances/nope", auth, "", "")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestRateLimitHeadersAndWindow(t *testing.T) {
	clk := shardsim.NewClock()
	sim := shardsim.New(t, shardsim.WithClock(clk), shardsim.WithRateLimit(2, 10*time.Second))
	status, h, _ := call(t, sim, http.MethodGet, "/v1/instances", "Bearer "+sim.APIToken(), "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "2", h.Get("X-RateLimit-Limit"))
	assert.Equal(t, "1", h.Get("X-RateLimit-Remaining"))
	assert.Equal(t, itoa(clk.Now().Truncate(10*time.Second).Add(10*time.Second).Unix()), h.Get("X-RateLimit-Reset"))
	call(t, sim, http.MethodGet, "/v1/instances", "Bearer "+sim.APIToken(), "", "")
	status, h, out := call(t, sim, http.MethodGet, "/v1/instances", "Bearer "+sim.APIToken(), "", "")
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "0", h.Get("X-RateLimit-Remaining"))
	assert.Equal(t, "rate limit exceeded", out["error"])
	clk.Advance(10 * time.Second)
	status, _, _ = call(t, sim, http.MethodGet, "/v1/instances", "Bearer "+sim.APIToken(), "", "")
	assert.Equal(t, http.StatusOK, status)
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestFailNextAndDown(t *testing.T) {
	sim := shardsim.New(t)
	sim.FailNext(http.StatusInternalServerError, "database unavailable")
	status, _, out := call(t, sim, http.MethodGet, "/v1/instances", "Bearer "+sim.APIToken(), "", "")
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "database unavailable", out["error"])
	sim.SetDown(true)
	_, err := http.Get(sim.URL() + "/health")
	assert.Error(t, err)
	sim.SetDown(false)
	assert.Equal(t, 1, sim.Count(http.MethodGet, "/v1/instances"))
	assert.Equal(t, shardsim.AuthAPIToken, sim.Requests()[0].Auth)
}

func dial(t *testing.T, sim *shardsim.Sim, id, auth string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	url := "ws" + strings.TrimPrefix(sim.URL(), "http") + "/v1/instances/" + id + "/logs"
	conn, resp, err := websocket.DefaultDialer.Dial(url, h)
	if conn != nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, resp, err
}

func TestLogSocketAuthAndReplay(t *testing.T) {
	clk := shardsim.NewClock()
	sim := shardsim.New(t, shardsim.WithClock(clk), shardsim.WithReplay(2), shardsim.WithMaxSockets(1),
		shardsim.WithInstances(shardsim.Instance{ID: "i-1", Status: "running"}))
	auth := bearer(t, sim)
	_, resp, err := dial(t, sim, "i-1", "")
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	_, resp, err = dial(t, sim, "nope", auth)
	require.Error(t, err)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	sim.Emit("i-1", "one", "two", "three")
	conn, _, err := dial(t, sim, "i-1", auth)
	require.NoError(t, err)
	_, resp, err = dial(t, sim, "i-1", auth)
	require.Error(t, err)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "connections are limited")
	for _, want := range []string{"two", "three"} {
		_, msg, err := conn.ReadMessage()
		require.NoError(t, err)
		assert.Equal(t, want, string(msg))
	}
	sim.Emit("i-1", "four")
	_, msg, err := conn.ReadMessage()
	require.NoError(t, err)
	assert.Equal(t, "four", string(msg))

	clk.Advance(15 * time.Minute)
	sim.Emit("i-1", "five")
	_, _, err = conn.ReadMessage()
	assert.True(t, websocket.IsCloseError(err, shardsim.CloseTokenExpired), "got %v", err)
	_, resp, err = dial(t, sim, "i-1", auth)
	require.Error(t, err)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "an expired token cannot reconnect")
}

func TestLogSocketRequiresUpgrade(t *testing.T) {
	sim := shardsim.New(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1"}))
	status, _, out := call(t, sim, http.MethodGet, "/v1/instances/i-1/logs", "Bearer "+sim.APIToken(), "", "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "websocket upgrade required", out["error"])
}

// TestRefusedHandshakeAnswersTheEnvelope: "all errors follow this format",
// a websocket handshake refused by the upgrader (here a foreign Origin)
// included.
func TestRefusedHandshakeAnswersTheEnvelope(t *testing.T) {
	sim := shardsim.New(t, shardsim.WithMaxSockets(1), shardsim.WithInstances(shardsim.Instance{ID: "i-1"}))
	h := http.Header{"Authorization": {"Bearer " + sim.APIToken()}, "Origin": {"https://evil.example"}}
	_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(sim.URL(), "http")+"/v1/instances/i-1/logs", h)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var out map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	assert.NotEmpty(t, out["error"])
	_, _, err = dial(t, sim, "i-1", "Bearer "+sim.APIToken())
	require.NoError(t, err, "the refused socket holds no slot")
}
