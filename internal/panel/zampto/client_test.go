package zampto

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/panelbot/panelbot/internal/panel/zampto/zamptosim"
)

// fast lifts the limits so that tests other than the load test run at once.
func fast(opts ...Option) []Option {
	return append([]Option{WithRateLimit(1000, time.Second), WithRetries(2, time.Millisecond)}, opts...)
}

func newSim(t *testing.T, opts ...zamptosim.Option) *zamptosim.Sim {
	return zamptosim.New(t, append([]zamptosim.Option{zamptosim.WithRateLimit(1000, time.Second)}, opts...)...)
}

func newClient(t *testing.T, baseURL, token string, opts ...Option) *Client {
	t.Helper()
	c, err := New(baseURL, token, fast(opts...)...)
	require.NoError(t, err)
	return c
}

func TestNewRefusesBadSettings(t *testing.T) {
	const key = "0123456789abcdef0123"
	tests := []struct {
		name, url, token string
		opts             []Option
	}{
		{"relative url", "apiserver.zampto.net", key, nil},
		{"ftp url", "ftp://apiserver.zampto.net", key, nil},
		{"credentials in url", "https://u:p@apiserver.zampto.net", key, nil},
		{"query in url", "https://apiserver.zampto.net/?x=1", key, nil},
		{"empty key", "", "", nil},
		{"key with Bearer", "", "Bearer " + key, nil},
		{"key with newline", "", key + "\n", nil},
		{"key with space", "", "0123 4567", nil},
		{"zero rate", "", key, []Option{WithRateLimit(0, time.Second)}},
		{"zero window", "", key, []Option{WithRateLimit(5, 0)}},
		{"zero timeout", "", key, []Option{WithTimeout(0)}},
		{"zero queue wait", "", key, []Option{WithMaxQueueWait(0)}},
		{"nil http client", "", key, []Option{WithHTTPClient(nil)}},
		{"nil clock", "", key, []Option{WithClock(nil)}},
		{"negative retries", "", key, []Option{WithRetries(-1, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.url, tt.token, tt.opts...)
			assert.Nil(t, c)
			pe := testkit.RequireKind(t, err, panel.ErrConfig)
			assert.NotEmpty(t, pe.Message)
			if len(tt.token) > 8 {
				assert.NotContains(t, err.Error()+pe.Message, strings.TrimPrefix(tt.token, "Bearer "))
			}
		})
	}
	c, err := New("", key)
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.api.Base.String())
}

func TestKindAndFeatures(t *testing.T) {
	c := newClient(t, "", "0123456789abcdef0123")
	assert.Equal(t, "zampto", c.Kind())
	assert.Equal(t, panel.Features(0), c.Features())
	for _, f := range []panel.Feature{panel.FeatureResources, panel.FeatureCommand, panel.FeatureConsole} {
		assert.False(t, c.Features().Has(f), f.String())
	}
}

func TestServersMapsTheList(t *testing.T) {
	sim := newSim(t, zamptosim.WithServers(
		zamptosim.Server{ID: 1, Name: "Minecraft Server", UUID: "a1b2", MemoryMB: 4096, DiskMB: 51200, CPU: 4, NodeID: 3},
		zamptosim.Server{ID: 12, Name: "Fresh", UUID: ""},
		zamptosim.Server{ID: 5, Name: "Theirs", UUID: "x", OtherAccount: true},
	))
	c := newClient(t, sim.URL(), sim.Token())
	servers, err := c.Servers(testkit.Context(t))
	require.NoError(t, err)
	require.Equal(t, []panel.Server{
		{ID: "1", UUID: "a1b2", Name: "Minecraft Server", Node: "node 3",
			Limits: panel.Limits{MemoryMB: 4096, DiskMB: 51200, CPUPercent: 400}},
		{ID: "12", Name: "Fresh", Status: StatusSyncing},
	}, servers)
	reqs := sim.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "Bearer "+sim.Token(), reqs[0].Auth, "the header exactly as documented")
}

func TestPowerSendsTheDocumentedBodyAndChangesState(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token())
	for _, step := range []struct {
		sig  panel.Signal
		want string
	}{
		{panel.SignalStart, zamptosim.StateRunning}, {panel.SignalStop, zamptosim.StateOffline},
		{panel.SignalRestart, zamptosim.StateRunning}, {panel.SignalKill, zamptosim.StateOffline},
	} {
		require.NoError(t, c.Power(testkit.Context(t), "1", step.sig))
		assert.Equal(t, step.want, sim.State(1), step.sig)
	}
	reqs := sim.Requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, "/start", reqs[0].Path)
	assert.JSONEq(t, `{"server":1}`, reqs[0].Body)
}

func TestPowerRefusesBadInputBeforeSending(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token())
	for _, id := range []string{"", "abc", "1a", "-1", "+1", " 1", "1.0", "１", "1234567890123456789"} {
		pe := testkit.RequireKind(t, c.Power(testkit.Context(t), id, panel.SignalStart), panel.ErrInvalid)
		assert.Contains(t, pe.Message, "zampto server IDs are numbers", id)
	}
	testkit.RequireKind(t, c.Power(testkit.Context(t), "1", panel.Signal("reboot")), panel.ErrInvalid)
	assert.Empty(t, sim.Requests())
}

func TestResourcesAndCommandAreUnsupportedWithoutARequest(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token())
	_, err := c.Resources(testkit.Context(t), "1")
	testkit.RequireKind(t, err, panel.ErrUnsupported)
	assert.Contains(t, panel.UserMessage(err), "zampto does not report whether a server is running")
	err = c.Command(testkit.Context(t), "1", "say hi")
	testkit.RequireKind(t, err, panel.ErrUnsupported)
	assert.Equal(t, "zampto has no console: commands cannot be sent to its servers.", panel.UserMessage(err))
	assert.Empty(t, sim.Requests())
}

func TestHealth(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token())
	require.NoError(t, c.Health(testkit.Context(t)))
	assert.Empty(t, sim.Requests()[0].Auth, "the key is not sent where it is not needed")

	sim.FailNext("/health", 500, 3)
	testkit.RequireKind(t, c.Health(testkit.Context(t)), panel.ErrUnavailable)
	assert.Equal(t, 4, sim.Count(http.MethodGet, "/health"), "one call and two retries")

	sim.SetDown(true)
	pe := testkit.RequireKind(t, c.Health(testkit.Context(t)), panel.ErrUnavailable)
	assert.Zero(t, pe.Status)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"status":"degraded"}`))
	}))
	defer srv.Close()
	testkit.RequireKind(t, newClient(t, srv.URL, sim.Token()).Health(testkit.Context(t)), panel.ErrUnavailable)
}

func TestGetsAreRetriedPowerIsNot(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token())

	sim.FailNext("/list", 500, 2)
	_, err := c.Servers(testkit.Context(t))
	require.NoError(t, err)
	assert.Equal(t, 3, sim.Count(http.MethodGet, "/list"))

	sim.FailNext("/start", 500, 1)
	pe := testkit.RequireKind(t, c.Power(testkit.Context(t), "1", panel.SignalStart), panel.ErrUnavailable)
	assert.Contains(t, pe.Message, "could not pass the power signal")
	assert.Equal(t, 1, sim.Count(http.MethodPost, "/start"))

	sim.SetDown(true)
	testkit.RequireKind(t, c.Power(testkit.Context(t), "1", panel.SignalRestart), panel.ErrUnavailable)
	assert.Equal(t, 1, sim.Count(http.MethodPost, "/restart"), "a dropped connection is not resent")
}

// limited answers 429 (with retryAfter) the first n times, then the list.
func limited(n int32, retryAfter string) (*httptest.Server, *atomic.Int32) {
	return testkit.Limited(n, retryAfter, `{"success":false,"message":"Too many requests, please try again later."}`,
		`{"success":true,"message":"Success","data":[]}`)
}

func TestA429IsWaitedOutOnGetsOnly(t *testing.T) {
	srv, calls := limited(1, "0")
	defer srv.Close()
	c := newClient(t, srv.URL, "0123456789abcdef0123")
	servers, err := c.Servers(testkit.Context(t))
	require.NoError(t, err)
	assert.Empty(t, servers)
	assert.Equal(t, int32(2), calls.Load())

	long, longCalls := limited(10, "60")
	defer long.Close()
	c = newClient(t, long.URL, "0123456789abcdef0123", WithRateLimit(5, 10*time.Second))
	_, err = c.Servers(testkit.Context(t))
	pe := testkit.RequireKind(t, err, panel.ErrRateLimited)
	assert.Equal(t, 60*time.Second, pe.RetryAfter)
	assert.Equal(t, int32(1), longCalls.Load(), "a long Retry-After is not waited out")
	assert.Contains(t, pe.Message, "5 requests per 10 seconds")
	assert.Contains(t, pe.Message, "try again in 60 s")

	// The 429 paused the queue: the next call cannot be served in time.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	pe = testkit.RequireKind(t, c.Power(ctx, "1", panel.SignalStart), panel.ErrRateLimited)
	assert.Equal(t, int32(1), longCalls.Load())
	assert.Contains(t, pe.Message, "queue is full")
	assert.Greater(t, pe.RetryAfter, 50*time.Second, "the panel's 60 s, not the 2.5 s pace")
}

// TestA429DateIsReadOnTheClientsClock: a Retry-After date is measured
// against the client's clock, not the wall clock.
func TestA429DateIsReadOnTheClientsClock(t *testing.T) {
	srv, _ := limited(1, "Wed, 21 Oct 2015 07:28:00 GMT")
	defer srv.Close()
	clk := manualclock.New(time.Date(2015, 10, 21, 7, 27, 30, 0, time.UTC))
	c := newClient(t, srv.URL, "0123456789abcdef0123", WithClock(clk))
	pe := testkit.RequireKind(t, c.Power(testkit.Context(t), "1", panel.SignalStop), panel.ErrRateLimited)
	assert.Equal(t, 30*time.Second, pe.RetryAfter)
}

func TestPower429IsNotRetried(t *testing.T) {
	srv, calls := limited(1, "0")
	defer srv.Close()
	c := newClient(t, srv.URL, "0123456789abcdef0123")
	testkit.RequireKind(t, c.Power(testkit.Context(t), "1", panel.SignalStop), panel.ErrRateLimited)
	assert.Equal(t, int32(1), calls.Load())
}

func TestTimeoutIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, "0123456789abcdef0123", WithTimeout(30*time.Millisecond), WithRetries(0, 0))
	_, err := c.Servers(testkit.Context(t))
	pe := testkit.RequireKind(t, err, panel.ErrUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "zampto did not answer in time. Try again in a minute.", pe.Message)
}

// TestTimeoutBoundsTheWholeCall: a silent zampto costs a call one timeout,
// not one per retry (it used to cost (retries+1) timeouts plus backoff).
func TestTimeoutBoundsTheWholeCall(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	const timeout = 300 * time.Millisecond
	c := newClient(t, srv.URL, "0123456789abcdef0123", WithTimeout(timeout), WithRetries(2, time.Millisecond))
	for name, call := range map[string]func() error{
		"list":   func() error { _, err := c.Servers(testkit.Context(t)); return err },
		"health": func() error { return c.Health(testkit.Context(t)) },
	} {
		calls.Store(0)
		start := time.Now()
		err := call()
		took := time.Since(start)
		pe := testkit.RequireKind(t, err, panel.ErrUnavailable)
		assert.ErrorIs(t, err, context.DeadlineExceeded, name)
		assert.Equal(t, "zampto did not answer in time. Try again in a minute.", pe.Message, name)
		assert.Less(t, took, 2*timeout, name)
		assert.Equal(t, int32(1), calls.Load(), "%s: no retry fits in a spent budget", name)
	}
}

// TestQueueLeavesTheRequestTimeToRun: the queue is inside the call's
// timeout, but a turn that would leave the request almost none of it is
// refused at once ("try again in N s") rather than taken and timed out.
func TestQueueLeavesTheRequestTimeToRun(t *testing.T) {
	sim := newSim(t)
	c := newClient(t, sim.URL(), sim.Token(), WithRateLimit(1, time.Second), WithTimeout(1300*time.Millisecond))
	require.NoError(t, c.Power(testkit.Context(t), "1", panel.SignalStart))
	start := time.Now()
	pe := testkit.RequireKind(t, c.Power(testkit.Context(t), "1", panel.SignalStop), panel.ErrRateLimited)
	assert.Less(t, time.Since(start), 500*time.Millisecond, "refused at once")
	assert.Contains(t, pe.Message, "queue is full")
	assert.Equal(t, 1, sim.Count(http.MethodPost, "/start")+sim.Count(http.MethodPost, "/stop"))
}

func TestWrongBaseURLIsAConfigError(t *testing.T) {
	pages := map[string]http.HandlerFunc{
		"html page": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>dashboard</html>"))
		},
		"redirect": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://example.invalid/list", http.StatusMovedPermanently)
		},
		"404": http.NotFound,
	}
	for name, h := range pages {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			_, err := newClient(t, srv.URL, "0123456789abcdef0123").Servers(testkit.Context(t))
			// A 2xx web page may be a maintenance page as well as a wrong
			// URL: the panel answered something unexpected, and the
			// sentence names the URL to check.
			kind := panel.ErrConfig
			if name == "html page" {
				kind = panel.ErrBadResponse
			}
			pe := testkit.RequireKind(t, err, kind)
			assert.Contains(t, pe.Message, "URL")
		})
	}
}

func TestErrorsNeverHoldTheKeyOrTheURL(t *testing.T) {
	const key = "s3cr3t-zampto-key-0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"success": false, "message": "bad key " + r.Header.Get("Authorization")})
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, key)
	_, listErr := c.Servers(testkit.Context(t))
	powerErr := c.Power(testkit.Context(t), "1", panel.SignalKill)
	srv.Close()
	_, downErr := c.Servers(testkit.Context(t))
	testkit.RequireNoLeak(t, []error{listErr, powerErr, downErr}, key, srv.URL+"/")
	assert.True(t, errors.Is(downErr, panel.ErrUnavailable))
}
