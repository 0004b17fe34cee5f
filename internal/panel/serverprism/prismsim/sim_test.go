package prismsim_test

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
	"github.com/panelbot/panelbot/internal/panel/serverprism/prismsim"
)

const base = "/api/v1/client/servers"

type answer struct {
	status  int
	header  http.Header
	message string
	errors  map[string][]string
	raw     string
}

// send makes one raw request; auth "" sends no Authorization header.
func send(t *testing.T, sim *prismsim.Sim, method, path, auth, contentType, body string) answer {
	t.Helper()
	resp, raw := testkit.Send(t, sim.URL(), method, path, auth, contentType, body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	var eb struct {
		Message string              `json:"message"`
		Errors  map[string][]string `json:"errors"`
	}
	if json.Unmarshal(raw, &eb) == nil {
		a.message, a.errors = eb.Message, eb.Errors
	}
	return a
}

func newSim(t *testing.T, opts ...prismsim.Option) *prismsim.Sim {
	return prismsim.New(t, append([]prismsim.Option{prismsim.WithRateLimits(1000, 1000, time.Second)}, opts...)...)
}

func bearer(tok string) string { return "Bearer " + tok }

func TestRefusesEveryMalformedToken(t *testing.T) {
	sim := newSim(t)
	revoked := sim.NewToken(prismsim.ScopeRead, prismsim.ScopeControl)
	sim.RevokeToken(revoked)
	for name, auth := range map[string]string{
		"missing": "", "other scheme": "Token " + sim.Token(), "lower-case scheme": "bearer " + sim.Token(),
		"bare token": sim.Token(), "bearer alone": "Bearer", "unknown": "Bearer 1|nope",
		"revoked": bearer(revoked), "token with suffix": bearer(sim.Token() + "x"),
	} {
		t.Run(name, func(t *testing.T) {
			for _, c := range []struct{ method, path string }{
				{http.MethodGet, base}, {http.MethodGet, base + "/1234"}, {http.MethodPost, base + "/1234/power"},
			} {
				a := send(t, sim, c.method, c.path, auth, "application/json", `{"signal":"start"}`)
				assert.Equal(t, 401, a.status, c.path)
				assert.Equal(t, prismsim.MsgUnauthenticated, a.message)
			}
		})
	}
	assert.Equal(t, prismsim.StateOffline, sim.State(1234))
}

func TestRoutesAndMethods(t *testing.T) {
	sim := newSim(t)
	auth := bearer(sim.Token())
	assert.Equal(t, 404, send(t, sim, http.MethodGet, "/api/v1/client/nope", "", "", "").status, "route before token")
	assert.Equal(t, 404, send(t, sim, http.MethodGet, base+"/1234/files", auth, "", "").status)
	assert.Equal(t, 404, send(t, sim, http.MethodGet, base+"/", auth, "", "").status)
	a := send(t, sim, http.MethodPost, base, auth, "application/json", `{}`)
	assert.Equal(t, 405, a.status)
	assert.Contains(t, a.message, "Supported methods: GET.")
	assert.Equal(t, 405, send(t, sim, http.MethodGet, base+"/1234/power", auth, "", "").status)
	assert.Equal(t, 405, send(t, sim, http.MethodDelete, base+"/1234", auth, "", "").status)
}

func TestScopesAreEnforced(t *testing.T) {
	sim := newSim(t)
	readOnly := bearer(sim.NewToken(prismsim.ScopeRead))
	controlOnly := bearer(sim.NewToken(prismsim.ScopeControl))
	assert.Equal(t, 200, send(t, sim, http.MethodGet, base, readOnly, "", "").status)
	a := send(t, sim, http.MethodPost, base+"/1234/power", readOnly, "application/json", `{"signal":"start"}`)
	assert.Equal(t, 403, a.status)
	assert.Contains(t, a.message, prismsim.ScopeControl)
	a = send(t, sim, http.MethodPost, base+"/1234/command", readOnly, "application/json", `{"command":"say hi"}`)
	assert.Equal(t, 403, a.status)
	a = send(t, sim, http.MethodGet, base+"/1234", controlOnly, "", "")
	assert.Equal(t, 403, a.status)
	assert.Contains(t, a.message, prismsim.ScopeRead)
	assert.Equal(t, 200, send(t, sim, http.MethodPost, base+"/1234/power", controlOnly, "application/json", `{"signal":"start"}`).status)

	noScopes := newSim(t, prismsim.WithScopes())
	assert.Equal(t, 403, send(t, noScopes, http.MethodGet, base, bearer(noScopes.Token()), "", "").status)
}

func TestServersOfOthersAreNotFound(t *testing.T) {
	sim := newSim(t, prismsim.WithServers(
		prismsim.Server{ID: 1, Name: "mine", Product: "P"},
		prismsim.Server{ID: 2, Name: "theirs", Customer: 2},
		prismsim.Server{ID: 3, Name: "suspended", ServiceStatus: "suspended"},
		prismsim.Server{ID: 4, Name: "cancelled", ServiceStatus: "cancelled"},
	))
	auth := bearer(sim.Token())
	a := send(t, sim, http.MethodGet, base, auth, "", "")
	require.Equal(t, 200, a.status)
	assert.JSONEq(t, `{"data":[{"id":1,"product":"P","service_status":"active"},{"id":3,"product":"","service_status":"suspended"}]}`, a.raw)
	for _, id := range []string{"2", "4", "99", "abc", "01", "-1"} {
		a := send(t, sim, http.MethodGet, base+"/"+id, auth, "", "")
		assert.Equal(t, 404, a.status, id)
		assert.Equal(t, prismsim.MsgNotFound, a.message)
	}
	other := bearer(sim.NewCustomerToken(2))
	assert.Equal(t, 200, send(t, sim, http.MethodGet, base+"/2", other, "", "").status)
	assert.Equal(t, 404, send(t, sim, http.MethodGet, base+"/1", other, "", "").status)
}

func TestPowerValidation(t *testing.T) {
	sim := newSim(t)
	auth := bearer(sim.Token())
	tests := []struct{ name, contentType, body, message string }{
		{"no content type", "", `{"signal":"start"}`, "The signal field is required."},
		{"form", "application/x-www-form-urlencoded", `signal=start`, "The signal field is required."},
		{"broken json", "application/json", `{"signal":`, "The signal field is required."},
		{"missing", "application/json", `{}`, "The signal field is required."},
		{"null", "application/json", `{"signal":null}`, "The signal field is required."},
		{"empty", "application/json", `{"signal":""}`, "The signal field is required."},
		{"number", "application/json", `{"signal":1}`, "The signal field must be a string."},
		{"upper case", "application/json", `{"signal":"START"}`, "The selected signal is invalid."},
		{"unknown", "application/json", `{"signal":"reboot"}`, "The selected signal is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := send(t, sim, http.MethodPost, base+"/1234/power", auth, tt.contentType, tt.body)
			assert.Equal(t, 422, a.status)
			assert.Equal(t, tt.message, a.message)
			assert.Equal(t, []string{tt.message}, a.errors["signal"])
		})
	}
	assert.Equal(t, prismsim.StateOffline, sim.State(1234))

	a := send(t, sim, http.MethodPost, base+"/1234/power", auth, "application/json", `{"signal":"restart"}`)
	require.Equal(t, 200, a.status)
	assert.JSONEq(t, `{"data":{"signal":"restart","sent":true}}`, a.raw)
	details := send(t, sim, http.MethodGet, base+"/1234", auth, "", "")
	assert.Contains(t, details.raw, `"current_state":"running"`, "power changes what details report")
}

func TestCommandRules(t *testing.T) {
	sim := newSim(t)
	auth := bearer(sim.Token())
	cmd := func(body string) answer {
		return send(t, sim, http.MethodPost, base+"/1234/command", auth, "application/json", body)
	}
	a := cmd(`{"command":"say hi"}`)
	assert.Equal(t, 412, a.status, "the server is offline")
	assert.Equal(t, prismsim.MsgNotRunning, a.message)

	send(t, sim, http.MethodPost, base+"/1234/power", auth, "application/json", `{"signal":"start"}`)
	long, _ := json.Marshal(map[string]string{"command": strings.Repeat("é", 1024)})
	tooLong, _ := json.Marshal(map[string]string{"command": strings.Repeat("a", 1025)})
	assert.Equal(t, 200, cmd(`{"command":"say hi"}`).status)
	assert.Equal(t, 200, cmd(string(long)).status, "1024 characters, whatever their bytes")
	assert.Equal(t, 200, cmd(`{"command":"say a\nsay b"}`).status, "newlines are passed on, not refused")
	a = cmd(string(tooLong))
	assert.Equal(t, 422, a.status)
	assert.Equal(t, "The command field must not be greater than 1024 characters.", a.message)
	assert.Equal(t, 422, cmd(`{"command":"   "}`).status)
	assert.Equal(t, 422, cmd(`{"command":["say"]}`).status)
	assert.Equal(t, []string{"say hi", strings.Repeat("é", 1024), "say a\nsay b"}, sim.Commands(1234))

	sim.SetNodeDown(1234, true)
	a = cmd(`{"command":"say hi"}`)
	assert.Equal(t, 503, a.status)
	assert.Equal(t, prismsim.MsgNodeDown, a.message)
}

func TestDetailsMatchTheDocumentAndGoNullWhenTheNodeIsDown(t *testing.T) {
	sim := newSim(t)
	auth := bearer(sim.Token())
	a := send(t, sim, http.MethodGet, base+"/1234", auth, "", "")
	assert.JSONEq(t, `{"data":{"id":1234,"name":"Fred's Minecraft","service_status":"active",
		"limits":{"memory_mb":4096,"disk_mb":25600,"cpu_percent":200},
		"resources":{"current_state":"offline","memory_bytes":2147483648,"cpu_absolute":18.5,"disk_bytes":7300000000,
		"network_rx_bytes":12345678,"network_tx_bytes":87654321}}}`, a.raw)
	sim.SetNodeDown(1234, true)
	a = send(t, sim, http.MethodGet, base+"/1234", auth, "", "")
	assert.Equal(t, 200, a.status)
	assert.Contains(t, a.raw, `"resources":null`)
	assert.Equal(t, 503, send(t, sim, http.MethodPost, base+"/1234/power", auth, "application/json", `{"signal":"start"}`).status)
}

func TestBucketsPerCustomerOnTheClock(t *testing.T) {
	clk := simkit.NewClock(time.Date(2026, 5, 3, 12, 0, 0, 0, time.UTC))
	sim := prismsim.New(t, prismsim.WithClock(clk))
	auth := bearer(sim.Token())
	for i := 0; i < 60; i++ {
		require.Equal(t, 200, send(t, sim, http.MethodGet, base, auth, "", "").status, "read %d", i+1)
	}
	a := send(t, sim, http.MethodGet, base+"/1234", auth, "", "")
	assert.Equal(t, 429, a.status)
	assert.Equal(t, prismsim.MsgTooMany, a.message)
	assert.Equal(t, "60", a.header.Get("Retry-After"))

	for i := 0; i < 20; i++ {
		require.Equal(t, 200, send(t, sim, http.MethodPost, base+"/1234/power", auth, "application/json", `{"signal":"start"}`).status,
			"the write bucket is separate: write %d", i+1)
	}
	assert.Equal(t, 429, send(t, sim, http.MethodPost, base+"/1234/command", auth, "application/json", `{"command":"x"}`).status)
	assert.Equal(t, 200, send(t, sim, http.MethodGet, base, bearer(sim.NewCustomerToken(2)), "", "").status, "per customer")
	assert.Equal(t, 401, send(t, sim, http.MethodGet, base, "Bearer nope", "", "").status, "the token is checked first")

	clk.Advance(time.Minute - time.Millisecond)
	assert.Equal(t, 429, send(t, sim, http.MethodGet, base, auth, "", "").status)
	clk.Advance(time.Millisecond)
	assert.Equal(t, 200, send(t, sim, http.MethodGet, base, auth, "", "").status)
	assert.Equal(t, 3, sim.CountStatus(429))
}

func TestFailureInjectionAndDown(t *testing.T) {
	sim := newSim(t)
	auth := bearer(sim.Token())
	sim.FailNext(base+"/1234", 503, 2)
	for i := 0; i < 2; i++ {
		a := send(t, sim, http.MethodGet, base+"/1234", auth, "", "")
		assert.Equal(t, 503, a.status)
		assert.Equal(t, prismsim.MsgNodeDown, a.message)
	}
	assert.Equal(t, 200, send(t, sim, http.MethodGet, base+"/1234", auth, "", "").status)
	sim.FailNext(base, 429, 1)
	a := send(t, sim, http.MethodGet, base, auth, "", "")
	assert.Equal(t, 429, a.status)
	assert.NotEmpty(t, a.header.Get("Retry-After"))
	assert.Equal(t, 3, sim.Count(http.MethodGet, base+"/1234"))

	sim.SetDown(true)
	_, err := http.Get(sim.URL() + base)
	assert.Error(t, err)
	sim.SetDown(false)
	assert.Equal(t, 200, send(t, sim, http.MethodGet, base, auth, "", "").status)
}
