package pterosim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

const srvA = "1a2b3c4d"

func basicSim(t *testing.T, opts ...Option) (*Sim, *simkit.Clock) {
	c := newClock()
	opts = append([]Option{WithClock(c), WithServers(
		ServerSpec{Identifier: srvA, Name: "Survival", Limits: panel.Limits{MemoryMB: 4096, DiskMB: 10000, CPUPercent: 200}},
	)}, opts...)
	return New(t, opts...), c
}

func TestAuthentication(t *testing.T) {
	s, _ := basicSim(t)
	tests := []struct {
		name   string
		opt    reqOpt
		status int
		code   string
		detail string
	}{
		{"no header", noHeader("Authorization"), 401, "AuthenticationException", "Unauthenticated."},
		{"wrong key", header("Authorization", "Bearer ptlc_wrong"), 401, "AuthenticationException", "Unauthenticated."},
		{"not bearer", header("Authorization", "Basic "+s.APIKey()), 401, "AuthenticationException", "Unauthenticated."},
		{"application key", header("Authorization", "Bearer ptla_abcdef"), 403, "AccessDeniedHttpException", detailAppKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, s, "GET", "/api/client", "", tt.opt)
			require.Equal(t, tt.status, a.status)
			e := a.envelope(t)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.detail, e.Detail)
		})
	}
	a := call(t, s, "GET", "/api/client", "", header("Authorization", "bearer "+s.APIKey()))
	assert.Equal(t, 200, a.status, "the scheme is case-insensitive")
}

func TestAcceptHeader(t *testing.T) {
	s, _ := basicSim(t)
	for _, accept := range []string{"", "*/*", "text/html"} {
		a := call(t, s, "GET", "/api/client", "", header("Accept", accept))
		require.Equal(t, http.StatusFound, a.status, "Accept %q", accept)
		assert.Equal(t, s.URL()+"/auth/login", a.header.Get("Location"))
		assert.Contains(t, a.header.Get("Content-Type"), "text/html")
		assert.Contains(t, string(a.body), "Redirecting to")
	}
	for _, accept := range []string{"application/json", "Application/vnd.pterodactyl.v1+json", "text/html, APPLICATION/JSON;q=0.9"} {
		a := call(t, s, "GET", "/api/client", "", header("Accept", accept))
		assert.Equal(t, http.StatusOK, a.status, "Accept %q", accept)
	}
}

func TestListPagination(t *testing.T) {
	specs := make([]ServerSpec, 120)
	for i := range specs {
		specs[i] = ServerSpec{Identifier: fmt.Sprintf("%08x", i+1)}
	}
	s := New(t, WithServers(specs...))
	var lr struct {
		Object string `json:"object"`
		Data   []struct {
			Attributes struct {
				Identifier string `json:"identifier"`
			} `json:"attributes"`
		} `json:"data"`
		Meta struct {
			Pagination struct {
				Total       int `json:"total"`
				Count       int `json:"count"`
				PerPage     int `json:"per_page"`
				CurrentPage int `json:"current_page"`
				TotalPages  int `json:"total_pages"`
			} `json:"pagination"`
		} `json:"meta"`
	}
	tests := []struct {
		query                    string
		count, perPage, page, tp int
	}{
		{"", 50, 50, 1, 3},
		{"?per_page=500", 100, 100, 1, 2}, // clamped like the panel
		{"?per_page=100&page=2", 20, 100, 2, 2},
		{"?per_page=abc&page=-1", 50, 50, 1, 3},
		{"?page=9", 0, 50, 9, 3},
	}
	for _, tt := range tests {
		a := call(t, s, "GET", "/api/client"+tt.query, "")
		require.Equal(t, 200, a.status)
		lr.Data = nil
		a.json(t, &lr)
		p := lr.Meta.Pagination
		assert.Equal(t, "list", lr.Object)
		assert.Equal(t, []int{120, tt.count, tt.perPage, tt.page, tt.tp},
			[]int{p.Total, len(lr.Data), p.PerPage, p.CurrentPage, p.TotalPages}, tt.query)
	}
}

func TestRoutingErrors(t *testing.T) {
	s, _ := basicSim(t)
	a := call(t, s, "GET", "/api/client/servers/deadbeef/resources", "")
	require.Equal(t, 404, a.status)
	assert.Equal(t, detailNotFound, a.envelope(t).Detail)
	assert.Equal(t, "NotFoundHttpException", a.envelope(t).Code)

	a = call(t, s, "GET", "/api/client/servers/"+srvA+"/nothing", "")
	require.Equal(t, 404, a.status)
	assert.Contains(t, a.envelope(t).Detail, "could not be found")

	a = call(t, s, "GET", "/api/client/servers/"+srvA+"/power", "")
	require.Equal(t, 405, a.status)
	assert.Equal(t, "MethodNotAllowedHttpException", a.envelope(t).Code)

	a = call(t, s, "GET", "/", "")
	assert.Equal(t, 404, a.status)
	assert.Contains(t, a.header.Get("Content-Type"), "text/html")

	// The UUID addresses the server as well as the identifier.
	spec, ok := s.Server(srvA)
	require.True(t, ok)
	assert.Equal(t, 200, call(t, s, "GET", "/api/client/servers/"+spec.UUID, "").status)
}

func TestServerStateConflicts(t *testing.T) {
	s, _ := basicSim(t)
	require.NoError(t, s.SetSuspended(srvA, true))
	assert.Equal(t, 200, call(t, s, "GET", "/api/client/servers/"+srvA, "").status, "details stay visible")
	for _, path := range []string{"/resources", "/websocket"} {
		a := call(t, s, "GET", "/api/client/servers/"+srvA+path, "")
		require.Equal(t, 409, a.status)
		assert.Equal(t, "ServerStateConflictException", a.envelope(t).Code)
		assert.Contains(t, a.envelope(t).Detail, "suspended")
	}
	require.NoError(t, s.SetSuspended(srvA, false))
	require.NoError(t, s.SetInstalling(srvA, true))
	a := call(t, s, "POST", "/api/client/servers/"+srvA+"/power", `{"signal":"start"}`)
	require.Equal(t, 409, a.status)
	assert.Contains(t, a.envelope(t).Detail, "installation")
	var d struct {
		Attributes struct {
			Status       *string `json:"status"`
			IsInstalling bool    `json:"is_installing"`
		} `json:"attributes"`
	}
	call(t, s, "GET", "/api/client/servers/"+srvA, "").json(t, &d)
	require.NotNil(t, d.Attributes.Status)
	assert.Equal(t, "installing", *d.Attributes.Status)
	assert.Equal(t, panel.StateOffline, s.ServerState(srvA), "refused signals change nothing")
}

func TestPowerValidation(t *testing.T) {
	s, _ := basicSim(t)
	path := "/api/client/servers/" + srvA + "/power"
	tests := []struct {
		name, body string
		opt        reqOpt
		detail     string
	}{
		{"no content type", `{"signal":"start"}`, noHeader("Content-Type"), "The signal field is required."},
		{"form content type", `{"signal":"start"}`, header("Content-Type", "application/x-www-form-urlencoded"), "The signal field is required."},
		{"malformed json", `{"signal":`, nil, "The signal field is required."},
		{"empty signal", `{"signal":"  "}`, nil, "The signal field is required."},
		{"not a string", `{"signal":1}`, nil, "The signal must be a string."},
		{"unknown signal", `{"signal":"reboot"}`, nil, "The selected signal is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []reqOpt{}
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			a := call(t, s, "POST", path, tt.body, opts...)
			require.Equal(t, 422, a.status)
			assert.Equal(t, "ValidationException", a.envelope(t).Code)
			assert.Equal(t, tt.detail, a.envelope(t).Detail)
		})
	}
	assert.Equal(t, panel.StateOffline, s.ServerState(srvA))
	a := call(t, s, "POST", path, `{"signal":" start "}`)
	require.Equal(t, 204, a.status)
	assert.Empty(t, a.body)
	assert.Equal(t, panel.StateStarting, s.ServerState(srvA))
}

func TestStateMachine(t *testing.T) {
	s, c := basicSim(t, WithTransitionDelay(2*time.Second))
	power := func(sig string) {
		t.Helper()
		require.Equal(t, 204, call(t, s, "POST", "/api/client/servers/"+srvA+"/power", `{"signal":"`+sig+`"}`).status)
	}
	steps := []struct {
		signal  string
		advance time.Duration
		want    panel.State
	}{
		{"start", 0, panel.StateStarting},
		{"", time.Second, panel.StateStarting},
		{"", time.Second, panel.StateRunning},
		{"start", 0, panel.StateRunning}, // nothing to do
		{"restart", 0, panel.StateStopping},
		{"", 2 * time.Second, panel.StateStarting},
		{"", 2 * time.Second, panel.StateRunning},
		{"stop", 0, panel.StateStopping},
		{"start", 0, panel.StateStopping}, // accepted mid-transition
		{"", 2 * time.Second, panel.StateStarting},
		{"kill", 0, panel.StateOffline},
		{"", time.Hour, panel.StateOffline},
		{"restart", 0, panel.StateStarting}, // restarting a stopped server starts it
		{"", 2 * time.Second, panel.StateRunning},
		{"stop", 0, panel.StateStopping},
		{"", 2 * time.Second, panel.StateOffline},
	}
	for i, st := range steps {
		if st.signal != "" {
			power(st.signal)
		}
		c.Advance(st.advance)
		require.Equal(t, st.want, s.ServerState(srvA), "step %d (%s +%s)", i, st.signal, st.advance)
	}
}

func TestResourcesFollowState(t *testing.T) {
	s, c := basicSim(t, WithTransitionDelay(time.Second))
	read := func() map[string]any {
		var r struct {
			Object     string `json:"object"`
			Attributes struct {
				CurrentState string         `json:"current_state"`
				Resources    map[string]any `json:"resources"`
			} `json:"attributes"`
		}
		call(t, s, "GET", "/api/client/servers/"+srvA+"/resources", "").json(t, &r)
		require.Equal(t, "stats", r.Object)
		r.Attributes.Resources["state"] = r.Attributes.CurrentState
		return r.Attributes.Resources
	}
	off := read()
	assert.Equal(t, "offline", off["state"])
	assert.Zero(t, off["cpu_absolute"])
	assert.Zero(t, off["memory_bytes"])
	assert.Zero(t, off["uptime"])
	assert.NotZero(t, off["disk_bytes"], "disk usage stays when off")

	require.NoError(t, s.Power(srvA, panel.SignalStart))
	c.Advance(time.Second)
	c.Advance(90 * time.Second)
	on := read()
	assert.Equal(t, "running", on["state"])
	assert.Equal(t, float64(90000), on["uptime"], "uptime counts from running, in ms")
	assert.Greater(t, on["cpu_absolute"], float64(0))
	assert.Greater(t, on["memory_bytes"], float64(0))
	assert.Less(t, on["memory_bytes"], float64(4096<<20))
}

func TestCommand(t *testing.T) {
	s, _ := basicSim(t)
	path := "/api/client/servers/" + srvA + "/command"
	a := call(t, s, "POST", path, `{"command":"say hi"}`)
	require.Equal(t, 502, a.status)
	assert.Equal(t, detailOffline, a.envelope(t).Detail)

	a = call(t, s, "POST", path, `{"command":""}`)
	require.Equal(t, 422, a.status)
	assert.Equal(t, "The command field is required.", a.envelope(t).Detail)

	require.NoError(t, s.SetState(srvA, panel.StateRunning))
	assert.Equal(t, 204, call(t, s, "POST", path, `{"command":"say hi"}`).status)

	s.SetNodeDown(true)
	a = call(t, s, "POST", path, `{"command":"say hi"}`)
	require.Equal(t, 504, a.status)
	assert.Equal(t, "DaemonConnectionException", a.envelope(t).Code)
}

func TestPelican(t *testing.T) {
	node := &recorder{token: "tok", socket: "wss://n.invalid/api/servers/"}
	s, c := basicSim(t, WithPelican(), WithNode(node))
	a := call(t, s, "GET", "/api/client", "")
	assert.Equal(t, "256", a.header.Get("X-RateLimit-Limit"))
	assert.Equal(t, 204, call(t, s, "POST", "/api/client/servers/"+srvA+"/command", `{"command":"say hi"}`).status)
	for i := 0; i < pelicanSocketPerMin; i++ {
		require.Equal(t, 200, call(t, s, "GET", "/api/client/servers/"+srvA+"/websocket", "").status)
	}
	a = call(t, s, "GET", "/api/client/servers/"+srvA+"/websocket", "")
	require.Equal(t, 429, a.status)
	assert.NotEmpty(t, a.header.Get("Retry-After"))
	c.Advance(time.Minute)
	assert.Equal(t, 200, call(t, s, "GET", "/api/client/servers/"+srvA+"/websocket", "").status)
	_, cmds := node.seen()
	assert.Empty(t, cmds, "Pelican drops a command to an offline server")
}

func TestRateLimit(t *testing.T) {
	s, c := basicSim(t, WithRateLimit(3))
	for want := 2; want >= 0; want-- {
		a := call(t, s, "GET", "/api/client/servers/"+srvA+"/nothing", "")
		assert.Equal(t, 404, a.status, "errors count and carry the headers too")
		assert.Equal(t, "3", a.header.Get("X-RateLimit-Limit"))
		assert.Equal(t, fmt.Sprint(want), a.header.Get("X-RateLimit-Remaining"))
	}
	c.Advance(20 * time.Second)
	a := call(t, s, "GET", "/api/client", "")
	require.Equal(t, 429, a.status)
	e := a.envelope(t)
	assert.Equal(t, "ThrottleRequestsException", e.Code)
	assert.Equal(t, "Too Many Attempts.", e.Detail)
	assert.Equal(t, "40", a.header.Get("Retry-After"))
	assert.Equal(t, fmt.Sprint(c.Now().Add(40*time.Second).Unix()), a.header.Get("X-RateLimit-Reset"))
	assert.Equal(t, "0", a.header.Get("X-RateLimit-Remaining"))
	c.Advance(40 * time.Second)
	assert.Equal(t, 200, call(t, s, "GET", "/api/client", "").status)
}

func TestFailureInjection(t *testing.T) {
	s, _ := basicSim(t)
	s.FailNext("/api/client/servers/", 500, 2)
	for i := 0; i < 2; i++ {
		a := call(t, s, "GET", "/api/client/servers/"+srvA+"/resources", "")
		require.Equal(t, 500, a.status)
		assert.Equal(t, detailUnexpected, a.envelope(t).Detail)
	}
	assert.Equal(t, 200, call(t, s, "GET", "/api/client/servers/"+srvA+"/resources", "").status)

	s.FailNext("", 429, 1)
	a := call(t, s, "GET", "/api/client", "")
	require.Equal(t, 429, a.status)
	assert.Equal(t, "1", a.header.Get("Retry-After"))

	s.SetDown(true)
	a = call(t, s, "GET", "/api/client", "", noHeader("Authorization"))
	require.Equal(t, 500, a.status)
	assert.Contains(t, string(a.body), "<html")
	s.SetDown(false)
	assert.Equal(t, 200, call(t, s, "GET", "/api/client", "").status)

	s.SetNodeDown(true)
	assert.Equal(t, 504, call(t, s, "GET", "/api/client/servers/"+srvA+"/resources", "").status)
	assert.Equal(t, 504, call(t, s, "POST", "/api/client/servers/"+srvA+"/power", `{"signal":"start"}`).status)
	assert.Equal(t, panel.StateOffline, s.ServerState(srvA))
	assert.Panics(t, func() { s.FailNext("", 200, 1) })
}

func TestRequestsLog(t *testing.T) {
	s, _ := basicSim(t)
	call(t, s, "GET", "/api/client?page=2", "")
	call(t, s, "POST", "/api/client/servers/"+srvA+"/power", `{"signal":"kill"}`)
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "2", reqs[0].Query.Get("page"))
	assert.Empty(t, reqs[0].Header.Get("Authorization"), "the key is not kept")
	assert.Equal(t, "Application/vnd.pterodactyl.v1+json", reqs[0].Header.Get("Accept"))
	assert.Equal(t, `{"signal":"kill"}`, string(reqs[1].Body))
	assert.Equal(t, 204, reqs[1].Status)
	assert.Equal(t, 1, s.Count("POST", "/api/client/servers/"))
	assert.Equal(t, 2, s.Count("", "/api/client"))
	reqs[1].Body[0] = 'X'
	assert.Equal(t, `{"signal":"kill"}`, string(s.Requests()[1].Body), "Requests returns a copy")
}

func TestSubuserPermissions(t *testing.T) {
	c := newClock()
	s := New(t, WithClock(c), WithServers(ServerSpec{Identifier: srvA, Permissions: []string{"control.start"}}))
	base := "/api/client/servers/" + srvA
	assert.Equal(t, 204, call(t, s, "POST", base+"/power", `{"signal":"start"}`).status)
	for _, body := range []string{`{"signal":"stop"}`, `{"signal":"bogus"}`} {
		a := call(t, s, "POST", base+"/power", body)
		require.Equal(t, 403, a.status, body)
		assert.Equal(t, detailUnauthorize, a.envelope(t).Detail)
	}
	assert.Equal(t, 403, call(t, s, "POST", base+"/command", `{"command":"x"}`).status)
	a := call(t, s, "GET", base+"/websocket", "")
	require.Equal(t, 403, a.status)
	assert.Contains(t, a.envelope(t).Detail, "websocket")
}

func TestWebsocketDummyToken(t *testing.T) {
	for _, pelican := range []bool{false, true} {
		opts := []Option{}
		want := 10 * time.Minute
		if pelican {
			opts, want = append(opts, WithPelican()), 15*time.Minute
		}
		s, c := basicSim(t, opts...)
		var w struct {
			Data struct{ Token, Socket string } `json:"data"`
		}
		call(t, s, "GET", "/api/client/servers/"+srvA+"/websocket", "").json(t, &w)
		spec, _ := s.Server(srvA)
		assert.Equal(t, "wss://node.invalid:8080/api/servers/"+spec.UUID+"/ws", w.Data.Socket)
		parts := strings.Split(w.Data.Token, ".")
		require.Len(t, parts, 3)
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		require.NoError(t, err)
		var claims struct {
			Exp        int64    `json:"exp"`
			ServerUUID string   `json:"server_uuid"`
			Perms      []string `json:"permissions"`
		}
		require.NoError(t, json.Unmarshal(payload, &claims))
		assert.Equal(t, c.Now().Add(want).Unix(), claims.Exp)
		assert.Equal(t, spec.UUID, claims.ServerUUID)
		assert.Equal(t, []string{"*"}, claims.Perms)
	}
}

func TestNodeHooks(t *testing.T) {
	node := &recorder{token: "node-token", socket: "wss://wings.invalid/api/servers/"}
	s, c := basicSim(t, WithNode(node), WithTransitionDelay(time.Second))
	var w struct {
		Data struct{ Token, Socket string } `json:"data"`
	}
	call(t, s, "GET", "/api/client/servers/"+srvA+"/websocket", "").json(t, &w)
	assert.Equal(t, "node-token", w.Data.Token)
	spec, _ := s.Server(srvA)
	assert.Equal(t, "wss://wings.invalid/api/servers/"+spec.UUID, w.Data.Socket)

	require.Equal(t, 204, call(t, s, "POST", "/api/client/servers/"+srvA+"/power", `{"signal":"restart"}`).status)
	c.Advance(time.Second)
	s.Tick()
	require.Equal(t, 204, call(t, s, "POST", "/api/client/servers/"+srvA+"/command", `{"command":"say hi"}`).status)
	require.NoError(t, s.Power(srvA, panel.SignalKill))
	require.Eventually(t, func() bool {
		states, cmds := node.seen()
		return len(states) == 3 && len(cmds) == 1
	}, 5*time.Second, time.Millisecond)
	states, cmds := node.seen()
	assert.Equal(t, []string{srvA + ":starting", srvA + ":running", srvA + ":offline"}, states)
	assert.Equal(t, []string{srvA + ":say hi"}, cmds)

	node.mu.Lock()
	node.err = fmt.Errorf("node broken")
	node.mu.Unlock()
	assert.Equal(t, 500, call(t, s, "GET", "/api/client/servers/"+srvA+"/websocket", "").status)
}

func TestRealClockTimers(t *testing.T) {
	node := &recorder{}
	s := New(t, WithNode(node), WithTransitionDelay(5*time.Millisecond), WithServers(ServerSpec{Identifier: srvA}))
	require.NoError(t, s.Power(srvA, panel.SignalStart))
	// No request and no Tick: the sim's own timer moves the server on.
	require.Eventually(t, func() bool {
		states, _ := node.seen()
		return len(states) == 2
	}, 5*time.Second, time.Millisecond)
	assert.Equal(t, panel.StateRunning, s.ServerState(srvA))
	s.Close()
	s.Close()
}

func TestBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
		want string
	}{
		{"bad identifier", WithServers(ServerSpec{Identifier: "survival"}), "8 lower-case hex"},
		{"mismatched uuid", WithServers(ServerSpec{Identifier: srvA, UUID: deriveUUID("ffffffff")}), "first 8 characters"},
		{"duplicate", WithServers(ServerSpec{Identifier: srvA}, ServerSpec{Identifier: srvA}), "used twice"},
		{"bad state", WithServers(ServerSpec{Identifier: srvA, State: "sleeping"}), "state"},
		{"nothing", WithServers(ServerSpec{Name: "x"}), "Identifier"},
		{"application key", WithAPIKey("ptla_x"), "ptlc_"},
		{"rate", WithRateLimit(0), "at least 1"},
		{"clock", WithClock(nil), "nil clock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, newFails(t, tt.opt), tt.want)
		})
	}
	assert.Empty(t, newFails(t, WithServers(ServerSpec{UUID: deriveUUID(srvA)})))
}

func TestConcurrentUse(t *testing.T) {
	s, c := basicSim(t, WithNode(&recorder{}))
	done := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := 0; j < 10; j++ {
				assert.NoError(t, send(s, "POST", "/api/client/servers/"+srvA+"/power", `{"signal":"restart"}`))
				assert.NoError(t, send(s, "GET", "/api/client/servers/"+srvA+"/resources", ""))
				c.Advance(time.Second)
				s.Tick()
			}
		}()
	}
	for i := 0; i < 4; i++ {
		<-done
	}
	assert.Equal(t, 80, s.Count("", "/api/client/servers/"))
}

// send is call for goroutines other than the test's: it reports instead of
// stopping the test.
func send(s *Sim, method, path, body string) error {
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.APIKey())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d", method, path, resp.StatusCode)
	}
	return nil
}
