package shardlyn_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/shardlyn"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

func TestGetsAreRetriedOnServerErrors(t *testing.T) {
	sim, clk := setup(t)
	c := tokenClient(t, sim, clk)
	start := clk.Now()
	sim.FailNext(http.StatusInternalServerError, "database unavailable")
	_, err := c.Servers(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, sim.Count(http.MethodGet, listPath))
	assert.Equal(t, 250*time.Millisecond, clk.Now().Sub(start), "paused before resending")

	for range 3 {
		sim.FailNext(http.StatusBadGateway, "upstream")
	}
	_, err = c.Servers(context.Background())
	require.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Equal(t, 5, sim.Count(http.MethodGet, listPath), "two more tries, then give up")
}

func TestUnreachablePanel(t *testing.T) {
	sim, clk := setup(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1"}))
	c := tokenClient(t, sim, clk)
	sim.SetDown(true)
	_, err := c.Servers(context.Background())
	require.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Equal(t, 3, sim.Count(http.MethodGet, listPath))
	err = c.Power(context.Background(), "i-1", panel.SignalRestart)
	require.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Equal(t, 1, sim.Count(http.MethodPost, "/v1/instances/i-1/restart"), "power is never resent")
	assert.NotContains(t, err.Error(), sim.URL())
}

func TestRateLimitHeadersAreFollowed(t *testing.T) {
	sim, clk := setup(t, shardsim.WithRateLimit(2, 5*time.Second))
	c := tokenClient(t, sim, clk)
	start := clk.Now()
	for range 5 {
		_, err := c.Servers(context.Background())
		require.NoError(t, err)
	}
	for _, r := range sim.Requests() {
		assert.NotEqual(t, http.StatusTooManyRequests, r.Status, "the client waits for the reset instead")
	}
	assert.Equal(t, 10*time.Second, clk.Now().Sub(start), "two windows waited out")
}

func TestGetWaitsOutA429(t *testing.T) {
	sim, clk := setup(t, shardsim.WithRateLimit(100, 5*time.Second))
	c := tokenClient(t, sim, clk)
	sim.FailNext(http.StatusTooManyRequests, "rate limit exceeded")
	start := clk.Now()
	_, err := c.Servers(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, sim.Count(http.MethodGet, listPath))
	assert.Equal(t, 5*time.Second, clk.Now().Sub(start), "waited until X-RateLimit-Reset")
}

func TestRetryAfterHeaderIsHonoured(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error":"slow down"}`))
			return
		}
		_, _ = w.Write([]byte(`{"instances":[{"id":7,"name":"seven","state":"running"}]}`))
	}))
	t.Cleanup(srv.Close)
	clk := shardsim.NewClock()
	c, err := shardlyn.New(srv.URL, shardlyn.APIToken("shardlyn_api_x"), shardlyn.WithClock(clk.Now), shardlyn.WithSleep(clk.Sleep))
	require.NoError(t, err)
	start := clk.Now()
	servers, err := c.Servers(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []panel.Server{{ID: "7", Name: "seven", State: panel.StateRunning}}, servers)
	assert.Equal(t, 3*time.Second, clk.Now().Sub(start))
}

func TestClientSideLimiter(t *testing.T) {
	sim, clk := setup(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1"}))
	c := newClient(t, sim, clk, shardlyn.APIToken(sim.APIToken()), shardlyn.WithRateLimit(1, 1))
	start := clk.Now()
	for range 3 {
		_, err := c.Servers(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, 2*time.Second, clk.Now().Sub(start))

	slow := newClient(t, sim, clk, shardlyn.APIToken(sim.APIToken()), shardlyn.WithRateLimit(0.01, 1))
	require.NoError(t, slow.Power(context.Background(), "i-1", panel.SignalStart))
	err := slow.Power(context.Background(), "i-1", panel.SignalStop)
	require.ErrorIs(t, err, panel.ErrRateLimited, "a wait beyond the call's deadline is not attempted")
	assert.Greater(t, panelErr(t, err).RetryAfter, time.Minute)
	assert.Zero(t, sim.Count(http.MethodPost, "/v1/instances/i-1/stop"))
}

func TestPerCallTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c, err := shardlyn.New(srv.URL, shardlyn.APIToken("shardlyn_api_x"), shardlyn.WithTimeout(50*time.Millisecond))
	require.NoError(t, err)
	err = c.Power(context.Background(), "i-1", panel.SignalStart)
	require.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Contains(t, panel.UserMessage(err), "did not answer in time")
}

// TestResourcesSharesOneTimeout: the instance and its stats are one call: a
// slow first answer leaves the stats only what remains of the timeout (each
// request used to get its own).
func TestResourcesSharesOneTimeout(t *testing.T) {
	const timeout = 400 * time.Millisecond
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > 1 {
			<-r.Context().Done()
			return
		}
		select { // a slow panel: most of the budget goes on the instance
		case <-time.After(timeout * 3 / 4):
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write([]byte(`{"id":"i-1","name":"one","status":"running"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := shardlyn.New(srv.URL, shardlyn.APIToken("shardlyn_api_x"), shardlyn.WithTimeout(timeout))
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Resources(context.Background(), "i-1")
	took := time.Since(start)
	require.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Less(t, took, timeout*14/10, "one budget for the whole call")
	assert.Equal(t, int32(2), n.Load(), "the instance, then the stats")
}

func TestCallerCancellationIsReported(t *testing.T) {
	sim, clk := setup(t)
	c := passwordClient(t, sim, clk)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Servers(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestUnexpectedAnswers(t *testing.T) {
	for name, body := range map[string]string{
		"html":      "<html>gateway</html>",
		"no id":     `[{"name":"x"}]`,
		"wrong key": `{"servers":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			c, err := shardlyn.New(srv.URL, shardlyn.APIToken("shardlyn_api_x"))
			require.NoError(t, err)
			_, err = c.Servers(context.Background())
			require.ErrorIs(t, err, panel.ErrBadResponse)
		})
	}
}
