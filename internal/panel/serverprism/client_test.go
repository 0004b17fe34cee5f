package serverprism

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/testkit"
	"github.com/panelbot/panelbot/internal/panel/serverprism/prismsim"
)

const (
	base    = "/api/v1/client/servers"
	someKey = "1|0123456789abcdef0123"
)

func fast(opts ...Option) []Option {
	return append([]Option{WithRateLimits(1000, 1000, time.Second), WithRetries(2, time.Millisecond)}, opts...)
}

func newSim(t *testing.T, opts ...prismsim.Option) *prismsim.Sim {
	return prismsim.New(t, append([]prismsim.Option{prismsim.WithRateLimits(1000, 1000, time.Second)}, opts...)...)
}

func newClient(t *testing.T, baseURL, token string, opts ...Option) *Client {
	t.Helper()
	c, err := New(baseURL, token, fast(opts...)...)
	require.NoError(t, err)
	return c
}

func TestNewRefusesBadSettings(t *testing.T) {
	tests := []struct {
		name, url, token string
		opts             []Option
	}{
		{"relative url", "serverprism.com", someKey, nil},
		{"credentials in url", "https://u:p@serverprism.com", someKey, nil},
		{"fragment in url", "https://serverprism.com/#x", someKey, nil},
		{"empty token", "", "", nil},
		{"token with Bearer", "", "Bearer " + someKey, nil},
		{"token with newline", "", someKey + "\r\n", nil},
		{"zero reads", "", someKey, []Option{WithRateLimits(0, 20, time.Minute)}},
		{"zero writes", "", someKey, []Option{WithRateLimits(60, 0, time.Minute)}},
		{"zero window", "", someKey, []Option{WithRateLimits(60, 20, 0)}},
		{"zero timeout", "", someKey, []Option{WithTimeout(0)}},
		{"zero queue wait", "", someKey, []Option{WithMaxQueueWait(0)}},
		{"nil http client", "", someKey, []Option{WithHTTPClient(nil)}},
		{"nil clock", "", someKey, []Option{WithClock(nil)}},
		{"too many retries", "", someKey, []Option{WithRetries(11, 0)}},
		{"negative lookups", "", someKey, []Option{WithNameLookups(-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.url, tt.token, tt.opts...)
			assert.Nil(t, c)
			pe := testkit.RequireKind(t, err, panel.ErrConfig)
			assert.NotEmpty(t, pe.Message)
			assert.NotContains(t, err.Error()+pe.Message, someKey)
		})
	}
	c, err := New("", someKey)
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL+apiPath, c.api.Base.String())
	c, err = New("https://serverprism.com/api/v1/client/", someKey)
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL+apiPath, c.api.Base.String(), "a pasted API address is trimmed")
}

func TestKindAndFeatures(t *testing.T) {
	c := newClient(t, "", someKey)
	assert.Equal(t, "serverprism", c.Kind())
	assert.True(t, c.Features().Has(panel.FeatureResources))
	assert.True(t, c.Features().Has(panel.FeatureCommand))
	assert.False(t, c.Features().Has(panel.FeatureConsole))
}

func TestServersLearnNamesOnce(t *testing.T) {
	sim := newSim(t, prismsim.WithServers(
		prismsim.Server{ID: 1234, Name: "Fred's Minecraft", Product: "Minecraft 4 GB", MemoryMB: 4096, DiskMB: 25600, CPUPercent: 200},
		prismsim.Server{ID: 1290, Name: "Pals", Product: "Palworld 8 GB", ServiceStatus: "suspended"},
	))
	c := newClient(t, sim.URL(), sim.Token())
	servers, err := c.Servers(testkit.Context(t))
	require.NoError(t, err)
	assert.Equal(t, []panel.Server{
		{ID: "1234", Name: "Fred's Minecraft", Description: "Minecraft 4 GB",
			Limits: panel.Limits{MemoryMB: 4096, DiskMB: 25600, CPUPercent: 200}},
		{ID: "1290", Name: "Pals", Description: "Palworld 8 GB", Suspended: true},
	}, servers)
	assert.Len(t, sim.Requests(), 3, "the list and one details per new server")

	_, err = c.Servers(testkit.Context(t))
	require.NoError(t, err)
	assert.Len(t, sim.Requests(), 4, "names are remembered")
	for _, r := range sim.Requests() {
		assert.Equal(t, "Bearer "+sim.Token(), r.Auth)
		assert.Equal(t, "application/json", r.Accept)
	}
}

func TestServersWithoutLookupsOrWhenTheyFail(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token(), WithNameLookups(0))
	servers, err := c.Servers(testkit.Context(t))
	require.NoError(t, err)
	require.Len(t, servers, 2)
	assert.Equal(t, "Minecraft 4 GB", servers[0].Name)
	assert.Len(t, sim.Requests(), 1)

	c = newClient(t, sim.URL(), sim.Token(), WithRetries(0, 0))
	sim.FailNext(base+"/", 503, 1)
	servers, err = c.Servers(testkit.Context(t))
	require.NoError(t, err, "names are a nicety: the list still answers")
	assert.Equal(t, "Minecraft 4 GB", servers[0].Name)
	assert.Equal(t, "Palworld 8 GB", servers[1].Name, "lookups stop at the first outage")
	assert.Equal(t, 1, sim.Count(http.MethodGet, base+"/1234"))
	assert.Zero(t, sim.Count(http.MethodGet, base+"/1290"))
}

func TestResourcesAreBestEffort(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token())
	res, err := c.Resources(testkit.Context(t), "1234")
	require.NoError(t, err)
	assert.Equal(t, panel.Resources{State: panel.StateOffline, Live: true, CPUPercent: 18.5,
		MemoryBytes: 2147483648, MemoryLimitBytes: 4096 << 20, DiskBytes: 7300000000, DiskLimitBytes: 25600 << 20,
		NetworkRxBytes: 12345678, NetworkTxBytes: 87654321}, res)

	require.NoError(t, c.Power(testkit.Context(t), "1234", panel.SignalStart))
	res, err = c.Resources(testkit.Context(t), "1234")
	require.NoError(t, err)
	assert.Equal(t, panel.StateRunning, res.State, "power changes what details report")

	sim.SetNodeDown(1234, true)
	res, err = c.Resources(testkit.Context(t), "1234")
	require.NoError(t, err, "a null resources block is no failure")
	assert.False(t, res.Live)
	assert.Equal(t, panel.StateUnknown, res.State)
	assert.Equal(t, int64(4096<<20), res.MemoryLimitBytes)
}

func TestPowerAndCommand(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token())
	for _, step := range []struct {
		sig  panel.Signal
		want string
	}{
		{panel.SignalStart, prismsim.StateRunning}, {panel.SignalStop, prismsim.StateOffline},
		{panel.SignalRestart, prismsim.StateRunning}, {panel.SignalKill, prismsim.StateOffline},
	} {
		require.NoError(t, c.Power(testkit.Context(t), "1234", step.sig))
		assert.Equal(t, step.want, sim.State(1234))
	}
	assert.JSONEq(t, `{"signal":"start"}`, sim.Requests()[0].Body)

	err := c.Command(testkit.Context(t), "1234", "say hi")
	pe := testkit.RequireKind(t, err, panel.ErrOffline)
	assert.Equal(t, http.StatusPreconditionFailed, pe.Status)
	assert.Contains(t, panel.UserMessage(err), "not running")

	require.NoError(t, c.Power(testkit.Context(t), "1234", panel.SignalStart))
	long := strings.Repeat("é", MaxCommandLength)
	require.NoError(t, c.Command(testkit.Context(t), "1234", "whitelist add Notch"))
	require.NoError(t, c.Command(testkit.Context(t), "1234", long))
	assert.Equal(t, []string{"whitelist add Notch", long}, sim.Commands(1234))
	assert.Equal(t, 3, sim.Count(http.MethodPost, base+"/1234/command"), "the refused one and these two")
}

func TestCommandsAreCheckedBeforeSending(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token())
	for name, cmd := range map[string]string{
		"empty": "", "blank": "   ", "newline": "say a\nsay b", "carriage return": "say a\r",
		"control character": "say \x07", "too long": strings.Repeat("a", MaxCommandLength+1),
		"invalid utf-8": "say \xff",
	} {
		pe := testkit.RequireKind(t, c.Command(testkit.Context(t), "1234", cmd), panel.ErrInvalid)
		assert.NotEmpty(t, pe.Message, name)
	}
	testkit.RequireKind(t, c.Command(testkit.Context(t), "12a", "say hi"), panel.ErrInvalid)
	testkit.RequireKind(t, c.Power(testkit.Context(t), "../1234", panel.SignalStart), panel.ErrInvalid)
	testkit.RequireKind(t, c.Power(testkit.Context(t), "1234", panel.Signal("reboot")), panel.ErrInvalid)
	_, err := c.Resources(testkit.Context(t), "1234/power")
	testkit.RequireKind(t, err, panel.ErrInvalid)
	assert.Empty(t, sim.Requests())
}

func TestScopesNameWhatTheTokenNeeds(t *testing.T) {
	sim := newSim(t)
	readOnly := newClient(t, sim.URL(), sim.NewToken(prismsim.ScopeRead))
	err := readOnly.Power(testkit.Context(t), "1234", panel.SignalStart)
	testkit.RequireKind(t, err, panel.ErrForbidden)
	assert.Contains(t, panel.UserMessage(err), "lacks the servers:control scope")
	err = readOnly.Command(testkit.Context(t), "1234", "say hi")
	assert.Contains(t, panel.UserMessage(err), "servers:control")

	controlOnly := newClient(t, sim.URL(), sim.NewToken(prismsim.ScopeControl))
	_, err = controlOnly.Servers(testkit.Context(t))
	testkit.RequireKind(t, err, panel.ErrForbidden)
	assert.Contains(t, panel.UserMessage(err), "lacks the servers:read scope")
	require.NoError(t, controlOnly.Power(testkit.Context(t), "1234", panel.SignalStart))
}

func TestTokenAndOwnership(t *testing.T) {
	sim := newSim(t, prismsim.WithServers(
		prismsim.Server{ID: 1, Name: "mine"}, prismsim.Server{ID: 2, Name: "theirs", Customer: 2}))
	c := newClient(t, sim.URL(), sim.Token())
	_, err := c.Resources(testkit.Context(t), "2")
	testkit.RequireKind(t, err, panel.ErrNotFound)
	assert.Contains(t, panel.UserMessage(err), "no server 2 on the bot's account")

	sim.RevokeToken(sim.Token())
	_, err = c.Servers(testkit.Context(t))
	testkit.RequireKind(t, err, panel.ErrUnauthorized)
	assert.Contains(t, panel.UserMessage(err), "API Credentials")
}

func TestUnavailableNodeIsRetriedOnGetsOnly(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token())
	sim.FailNext(base+"/1234", 503, 2)
	_, err := c.Resources(testkit.Context(t), "1234")
	require.NoError(t, err)
	assert.Equal(t, 3, sim.Count(http.MethodGet, base+"/1234"))

	sim.SetNodeDown(1234, true)
	err = c.Power(testkit.Context(t), "1234", panel.SignalStart)
	testkit.RequireKind(t, err, panel.ErrUnavailable)
	assert.Contains(t, panel.UserMessage(err), "temporarily unavailable")
	assert.Equal(t, 1, sim.Count(http.MethodPost, base+"/1234/power"))
}

// limited answers 429 (with retryAfter) the first n times, then body.
func limited(n int32, retryAfter, body string) (*httptest.Server, *atomic.Int32) {
	return testkit.Limited(n, retryAfter, `{"message":"Too Many Attempts."}`, body)
}

func TestA429IsWaitedOutOnGetsOnly(t *testing.T) {
	srv, calls := limited(1, "0", `{"data":[]}`)
	defer srv.Close()
	c := newClient(t, srv.URL, someKey)
	_, err := c.Servers(testkit.Context(t))
	require.NoError(t, err)
	assert.Equal(t, int32(2), calls.Load())

	wsrv, wcalls := limited(1, "42", `{"data":{"signal":"kill","sent":true}}`)
	defer wsrv.Close()
	c = newClient(t, wsrv.URL, someKey, WithRateLimits(60, 20, time.Minute))
	err = c.Power(testkit.Context(t), "1", panel.SignalKill)
	pe := testkit.RequireKind(t, err, panel.ErrRateLimited)
	assert.Equal(t, 42*time.Second, pe.RetryAfter)
	assert.Equal(t, int32(1), wcalls.Load(), "never retried")
	assert.Contains(t, pe.Message, "20 power signals and console commands per minute")
	assert.Contains(t, pe.Message, "try again in 42 s")

	// The write bucket is paused; the read bucket is not.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	testkit.RequireKind(t, c.Command(ctx, "1", "say hi"), panel.ErrRateLimited)
	assert.Equal(t, int32(1), wcalls.Load())
	_, err = c.Resources(ctx, "1")
	require.NoError(t, err)
	assert.Equal(t, int32(2), wcalls.Load(), "the read reached the panel at once")
}

// TestA429DateIsReadOnTheClientsClock: a Retry-After date is measured
// against the client's clock, not the wall clock.
func TestA429DateIsReadOnTheClientsClock(t *testing.T) {
	srv, _ := limited(1, "Wed, 21 Oct 2015 07:28:00 GMT", `{"data":{"signal":"kill","sent":true}}`)
	defer srv.Close()
	clk := manualclock.New(time.Date(2015, 10, 21, 7, 27, 30, 0, time.UTC))
	c := newClient(t, srv.URL, someKey, WithClock(clk))
	pe := testkit.RequireKind(t, c.Power(testkit.Context(t), "1", panel.SignalKill), panel.ErrRateLimited)
	assert.Equal(t, 30*time.Second, pe.RetryAfter)
}

// TestTimeoutBoundsTheWholeCall: a silent ServerPrism costs a call one
// timeout, not one per retry, and the name lookups of Servers share the
// list's budget (they used to cost (retries+1) timeouts each).
func TestTimeoutBoundsTheWholeCall(t *testing.T) {
	var details atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == base {
			_, _ = w.Write([]byte(`{"data":[{"id":1,"product":"A","service_status":"active"},{"id":2,"product":"B","service_status":"active"}]}`))
			return
		}
		details.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	const timeout = 300 * time.Millisecond
	c := newClient(t, srv.URL, someKey, WithTimeout(timeout), WithRetries(2, time.Millisecond))

	start := time.Now()
	servers, err := c.Servers(testkit.Context(t))
	require.NoError(t, err, "names are a nicety")
	assert.Len(t, servers, 2)
	assert.Less(t, time.Since(start), 2*timeout, "the lookups share the list's budget")
	assert.Equal(t, int32(1), details.Load(), "no retry and no further lookup fits in a spent budget")

	details.Store(0)
	start = time.Now()
	_, err = c.Resources(testkit.Context(t), "1")
	pe := testkit.RequireKind(t, err, panel.ErrUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "ServerPrism did not answer in time. Try again in a minute.", pe.Message)
	assert.Less(t, time.Since(start), 2*timeout)
	assert.Equal(t, int32(1), details.Load())
}

func TestBucketsAreSeparate(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token(), WithRateLimits(1000, 1, time.Hour))
	require.NoError(t, c.Power(testkit.Context(t), "1234", panel.SignalStart))
	err := c.Power(testkit.Context(t), "1234", panel.SignalStop)
	pe := testkit.RequireKind(t, err, panel.ErrRateLimited)
	assert.Contains(t, pe.Message, "1 power signals and console commands per 3600 seconds and the bot's queue is full")
	for i := 0; i < 5; i++ {
		_, err := c.Resources(testkit.Context(t), "1234")
		require.NoError(t, err, "reads do not wait for writes")
	}
}

func TestUnknownKeysAreIgnored(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case base:
			_, _ = w.Write([]byte(`{"data":[{"id":7,"product":"P","service_status":"active","region":"eu","tags":[1]}],"meta":{"v":2}}`))
		case base + "/7":
			_, _ = w.Write([]byte(`{"data":{"id":7,"name":"N","uptime_ms":5,"limits":{"memory_mb":1,"io":500},"resources":{"current_state":"starting","gpu":{}}}}`))
		default:
			_, _ = w.Write([]byte(`{"data":{"signal":"start","sent":true,"queued_at":"2026-01-01T00:00:00Z"},"request_id":"x"}`))
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, someKey)
	servers, err := c.Servers(testkit.Context(t))
	require.NoError(t, err)
	assert.Equal(t, "N", servers[0].Name)
	res, err := c.Resources(testkit.Context(t), "7")
	require.NoError(t, err)
	assert.Equal(t, panel.StateStarting, res.State)
	require.NoError(t, c.Power(testkit.Context(t), "7", panel.SignalStart))
}

func TestErrorsNeverHoldTheTokenOrTheURL(t *testing.T) {
	const token = "7|s3cr3t-prism-token-0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"message":"bad ` + r.Header.Get("Authorization") + `","errors":{"command":["` + token + `"]}}`))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, token)
	_, listErr := c.Servers(testkit.Context(t))
	cmdErr := c.Command(testkit.Context(t), "1", "say hi")
	srv.Close()
	_, downErr := c.Resources(testkit.Context(t), "1")
	testkit.RequireNoLeak(t, []error{listErr, cmdErr, downErr}, token, srv.URL+"/")
	testkit.RequireKind(t, downErr, panel.ErrUnavailable)
}
