package shardlyn_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/shardlyn"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

const (
	loginPath   = "/v1/auth/login"
	refreshPath = "/v1/auth/refresh"
	listPath    = "/v1/instances"
)

// trail lists the requests as "METHOD path status", for sequence checks.
func trail(sim *shardsim.Sim) []string {
	var out []string
	for _, r := range sim.Requests() {
		out = append(out, r.Method+" "+r.Path+" "+http.StatusText(r.Status))
	}
	return out
}

func TestTokenIsRenewedBeforeItExpires(t *testing.T) {
	sim, clk := setup(t)
	c := passwordClient(t, sim, clk)
	ctx := context.Background()
	_, err := c.Servers(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, sim.Count(http.MethodPost, loginPath))

	clk.Advance(11 * time.Minute) // under 80% of 15 minutes: keep it
	_, err = c.Servers(ctx)
	require.NoError(t, err)
	assert.Zero(t, sim.Count(http.MethodPost, refreshPath))

	clk.Advance(2 * time.Minute) // 13 minutes: past 80%, still valid
	_, err = c.Servers(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, sim.Count(http.MethodPost, refreshPath))

	clk.Advance(time.Hour) // long expired: the refresh token still works
	_, err = c.Servers(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, sim.Count(http.MethodPost, refreshPath))
	assert.Equal(t, 1, sim.Count(http.MethodPost, loginPath))
	for _, r := range sim.Requests() {
		assert.NotEqual(t, http.StatusUnauthorized, r.Status, "the caller never meets an expired token: %v", trail(sim))
	}
}

func TestLifetimeIsReadFromTheAnswer(t *testing.T) {
	sim, clk := setup(t, shardsim.WithAccessTokenTTL(2*time.Minute))
	c := passwordClient(t, sim, clk)
	ctx := context.Background()
	_, err := c.Servers(ctx)
	require.NoError(t, err)
	clk.Advance(100 * time.Second) // past 80% of 2 minutes
	_, err = c.Servers(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, sim.Count(http.MethodPost, refreshPath))
	s, err := c.LogSocket(ctx, "x")
	require.NoError(t, err)
	assert.Equal(t, clk.Now().Add(2*time.Minute), s.Expires)
}

func TestUnauthorizedGetsOneRefreshThenSucceeds(t *testing.T) {
	sim, clk := setup(t)
	c := passwordClient(t, sim, clk)
	ctx := context.Background()
	_, err := c.Servers(ctx)
	require.NoError(t, err)
	sim.RevokeAccessTokens()
	_, err = c.Servers(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"POST /v1/auth/login OK", "GET /v1/instances OK",
		"GET /v1/instances Unauthorized", "POST /v1/auth/refresh OK", "GET /v1/instances OK",
	}, trail(sim))
}

func TestRefusedRefreshFallsBackToLogin(t *testing.T) {
	sim, clk := setup(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1"}))
	c := passwordClient(t, sim, clk)
	ctx := context.Background()
	_, err := c.Servers(ctx)
	require.NoError(t, err)
	sim.RevokeAccessTokens()
	sim.RevokeRefreshTokens()
	// Power too: a 401 means Shardlyn did not act, so it is sent again once.
	require.NoError(t, c.Power(ctx, "i-1", panel.SignalStart))
	assert.Equal(t, []string{
		"POST /v1/auth/login OK", "GET /v1/instances OK",
		"POST /v1/instances/i-1/start Unauthorized", "POST /v1/auth/refresh Unauthorized",
		"POST /v1/auth/login OK", "POST /v1/instances/i-1/start OK",
	}, trail(sim))
}

func TestRepeated401DoesNotLoop(t *testing.T) {
	sim, clk := setup(t)
	c := passwordClient(t, sim, clk)
	ctx := context.Background()
	_, err := c.Servers(ctx)
	require.NoError(t, err)
	sim.FailNext(http.StatusUnauthorized, "token expired")
	sim.FailNext(http.StatusOK, "unused") // consumed by the refresh, which then fails to decode
	sim.FailNext(http.StatusUnauthorized, "token expired")
	_, err = c.Servers(ctx)
	require.Error(t, err)
	assert.LessOrEqual(t, len(sim.Requests()), 5, "bounded: %v", trail(sim))

	sim2, clk2 := setup(t)
	c2 := passwordClient(t, sim2, clk2)
	_, err = c2.Servers(ctx)
	require.NoError(t, err)
	sim2.FailNext(http.StatusUnauthorized, "token expired")
	sim2.FailNext(http.StatusUnauthorized, "token expired") // consumed by the refresh
	sim2.FailNext(http.StatusUnauthorized, "invalid email or password")
	_, err = c2.Servers(ctx)
	require.ErrorIs(t, err, panel.ErrUnauthorized)
	assert.Contains(t, panel.UserMessage(err), "email or password")
	assert.Equal(t, 5, len(sim2.Requests()), "%v", trail(sim2))
}

func TestMFAIsAConfigurationError(t *testing.T) {
	sim, clk := setup(t, shardsim.WithMFA(shardsim.DefaultEmail))
	c := passwordClient(t, sim, clk)
	for range 2 {
		_, err := c.Servers(context.Background())
		require.ErrorIs(t, err, panel.ErrConfig)
		msg := panel.UserMessage(err)
		assert.Contains(t, msg, "requires MFA")
		assert.Contains(t, msg, "shardlyn_api_")
	}
	assert.Equal(t, 1, sim.Count(http.MethodPost, loginPath), "the answer is remembered")
	assert.Zero(t, sim.Count(http.MethodGet, listPath))
}

func TestWrongPasswordDoesNotLockTheAccount(t *testing.T) {
	sim, clk := setup(t, shardsim.WithLoginLockout(3, time.Hour))
	c := newClient(t, sim, clk, shardlyn.Password(sim.Email(), "not-the-password"))
	for range 10 {
		_, err := c.Servers(context.Background())
		require.ErrorIs(t, err, panel.ErrUnauthorized)
		assert.Contains(t, panel.UserMessage(err), "refused the email or password")
	}
	assert.Equal(t, 1, sim.Count(http.MethodPost, loginPath))
	clk.Advance(15 * time.Minute)
	_, _ = c.Servers(context.Background())
	assert.Equal(t, 2, sim.Count(http.MethodPost, loginPath), "tried again after the cooldown")
}

func TestLockedAccountIsRateLimitedWithAMessage(t *testing.T) {
	sim, clk := setup(t)
	sim.FailNext(http.StatusTooManyRequests, "account temporarily locked after too many failed login attempts")
	c := passwordClient(t, sim, clk)
	for range 3 {
		_, err := c.Servers(context.Background())
		require.ErrorIs(t, err, panel.ErrRateLimited)
		assert.Contains(t, panel.UserMessage(err), "refusing logins")
	}
	assert.Equal(t, 1, sim.Count(http.MethodPost, loginPath), "no login while refused")
	clk.Advance(time.Minute)
	_, err := c.Servers(context.Background())
	require.NoError(t, err)
}

func TestConcurrentCallsShareOneRenewal(t *testing.T) {
	sim, clk := setup(t)
	c := passwordClient(t, sim, clk)
	run := func() {
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				_, err := c.Servers(context.Background())
				assert.NoError(t, err)
			})
		}
		wg.Wait()
	}
	run()
	assert.Equal(t, 1, sim.Count(http.MethodPost, loginPath))
	clk.Advance(13 * time.Minute)
	run()
	assert.Equal(t, 1, sim.Count(http.MethodPost, refreshPath))
}

func TestRenewalFailureKeepsAValidToken(t *testing.T) {
	sim, clk := setup(t)
	c := passwordClient(t, sim, clk)
	ctx := context.Background()
	_, err := c.Servers(ctx)
	require.NoError(t, err)
	clk.Advance(13 * time.Minute)
	sim.FailNext(http.StatusInternalServerError, "database unavailable") // the refresh
	_, err = c.Servers(ctx)
	require.NoError(t, err, "the old token still has two minutes")
	clk.Advance(5 * time.Minute)
	sim.FailNext(http.StatusServiceUnavailable, "maintenance")
	_, err = c.Servers(ctx)
	require.ErrorIs(t, err, panel.ErrUnavailable, "expired and not renewable: say so")
}
