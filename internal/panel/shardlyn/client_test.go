package shardlyn_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/testkit"
	"github.com/panelbot/panelbot/internal/panel/shardlyn"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

// setup starts a simulator on a manual clock shared with the client.
func setup(t *testing.T, simOpts ...shardsim.Option) (*shardsim.Sim, *shardsim.Clock) {
	t.Helper()
	clk := shardsim.NewClock()
	sim := shardsim.New(t, append([]shardsim.Option{shardsim.WithClock(clk)}, simOpts...)...)
	return sim, clk
}

func newClient(t *testing.T, sim *shardsim.Sim, clk *shardsim.Clock, auth shardlyn.Auth, opts ...shardlyn.Option) *shardlyn.Client {
	t.Helper()
	base := []shardlyn.Option{shardlyn.WithClock(clk.Now), shardlyn.WithSleep(clk.Sleep), shardlyn.WithRateLimit(1000, 1000)}
	c, err := shardlyn.New(sim.URL(), auth, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func passwordClient(t *testing.T, sim *shardsim.Sim, clk *shardsim.Clock, opts ...shardlyn.Option) *shardlyn.Client {
	return newClient(t, sim, clk, shardlyn.Password(sim.Email(), sim.Password()), opts...)
}

func tokenClient(t *testing.T, sim *shardsim.Sim, clk *shardsim.Clock, opts ...shardlyn.Option) *shardlyn.Client {
	return newClient(t, sim, clk, shardlyn.APIToken(sim.APIToken()), opts...)
}

func panelErr(t *testing.T, err error) *panel.Error {
	t.Helper()
	var pe *panel.Error
	require.True(t, errors.As(err, &pe), "want *panel.Error, got %T: %v", err, err)
	return pe
}

func TestNewValidatesConfig(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		auth      shardlyn.Auth
		wantMsg   string
	}{
		{"no auth", "", shardlyn.Auth{}, "Set either a Shardlyn API token"},
		{"token without prefix", "", shardlyn.APIToken("abc123"), "must start with shardlyn_api_"},
		{"jwt as token", "", shardlyn.APIToken("eyJhbGciOiJIUzI1NiIs.eyJ4Ijox.sig"), "expires after 15 minutes"},
		{"prefix only", "", shardlyn.APIToken("shardlyn_api_"), "only its prefix"},
		{"token with newline", "", shardlyn.APIToken("shardlyn_api_a\nb"), "spaces or line breaks"},
		{"bad email", "", shardlyn.Password("bot", "pw"), "does not look like an email"},
		{"no password", "", shardlyn.Password("bot@example.com", ""), "both the Shardlyn account's email and its password"},
		{"ftp", "ftp://api.shardlyn.com", shardlyn.APIToken("shardlyn_api_x"), "must look like"},
		{"clear http", "http://api.shardlyn.com", shardlyn.APIToken("shardlyn_api_x"), "must use https"},
		{"user in url", "https://u:p@api.shardlyn.com", shardlyn.APIToken("shardlyn_api_x"), "must not contain a user"},
		{"bad option", "", shardlyn.APIToken("shardlyn_api_x"), "WithTimeout: 0s: use a positive duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []shardlyn.Option
			if tc.name == "bad option" {
				opts = append(opts, shardlyn.WithTimeout(0))
			}
			_, err := shardlyn.New(tc.url, tc.auth, opts...)
			require.ErrorIs(t, err, panel.ErrConfig)
			assert.Contains(t, panel.UserMessage(err), tc.wantMsg)
			assert.NotContains(t, err.Error(), "abc123")
		})
	}
	for _, u := range []string{"", "https://api.shardlyn.com/v1/", "http://127.0.0.1:8080", "https://panel.example.com/shardlyn"} {
		_, err := shardlyn.New(u, shardlyn.Password("bot@example.com", "pw"))
		assert.NoError(t, err, u)
	}
}

func TestAuthStringHidesSecrets(t *testing.T) {
	assert.NotContains(t, shardlyn.APIToken("shardlyn_api_secret").String(), "secret")
	assert.NotContains(t, shardlyn.Password("bot@example.com", "hunter22").String(), "hunter22")
}

func TestKindAndFeatures(t *testing.T) {
	sim, clk := setup(t)
	c := tokenClient(t, sim, clk)
	assert.Equal(t, "shardlyn", c.Kind())
	assert.True(t, c.Features().Has(panel.FeatureResources))
	assert.True(t, c.Features().Has(panel.FeatureConsole))
	assert.True(t, c.Features().Has(panel.FeatureCommand), "commands go through the console websocket")
}

func TestServersAndResources(t *testing.T) {
	sim, clk := setup(t, shardsim.WithInstances(
		shardsim.Instance{ID: "i-run", Name: "Survival", Node: "node-a", Status: "running"},
		shardsim.Instance{ID: "i-off", Name: "Creative"},
		shardsim.Instance{ID: "i-new", Name: "Modded", Status: "installing"},
	))
	c := tokenClient(t, sim, clk)
	ctx := context.Background()
	servers, err := c.Servers(ctx)
	require.NoError(t, err)
	require.Len(t, servers, 3)
	assert.Equal(t, panel.Server{ID: "i-run", Name: "Survival", Node: "node-a", State: panel.StateRunning}, servers[0])
	assert.Equal(t, panel.StateOffline, servers[1].State)
	assert.Equal(t, "installing", servers[2].Status)

	clk.Advance(90e9)
	res, err := c.Resources(ctx, "i-run")
	require.NoError(t, err)
	want := shardsim.DefaultStats()
	assert.Equal(t, panel.Resources{
		State: panel.StateRunning, Live: true, Uptime: 90e9, CPUPercent: want.CPUPercent,
		MemoryBytes: want.MemoryBytes, MemoryLimitBytes: want.MemoryLimitBytes, DiskBytes: want.DiskBytes,
		DiskLimitBytes: want.DiskLimitBytes, NetworkRxBytes: want.NetworkRxBytes, NetworkTxBytes: want.NetworkTxBytes,
	}, res)

	res, err = c.Resources(ctx, "i-off")
	require.NoError(t, err)
	assert.Equal(t, panel.Resources{State: panel.StateOffline}, res, "no live figures for a stopped instance")
	assert.Zero(t, sim.Count(http.MethodGet, "/v1/instances/i-off/stats"), "a stopped instance costs one request")
}

func TestPowerDrivesTheInstance(t *testing.T) {
	sim, clk := setup(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1", Name: "Survival"}))
	c := passwordClient(t, sim, clk)
	ctx := context.Background()
	require.NoError(t, c.Power(ctx, "i-1", panel.SignalStart))
	assert.Equal(t, "running", sim.Status("i-1"))
	res, err := c.Resources(ctx, "i-1")
	require.NoError(t, err)
	assert.True(t, res.Live)
	require.NoError(t, c.Power(ctx, "i-1", panel.SignalKill))
	assert.Equal(t, "stopped", sim.Status("i-1"))
	assert.Equal(t, 1, sim.Count(http.MethodPost, "/v1/instances/i-1/start"))
	assert.Equal(t, 1, sim.Count(http.MethodPost, "/v1/instances/i-1/kill"))
	err = c.Power(ctx, "i-1", panel.Signal("explode"))
	assert.ErrorIs(t, err, panel.ErrInvalid)
}

func TestDocumentedErrorsBecomeUserMessages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(*shardsim.Sim)
		call    func(*shardlyn.Client) error
		kind    error
		message string
	}{
		{"400", func(s *shardsim.Sim) { s.FailNext(400, "invalid signal") }, power("i-1"),
			panel.ErrInvalid, "The panel rejected the request: invalid signal"},
		{"403", nil, power("i-ro"), panel.ErrForbidden, "not allowed to do that on this instance"},
		{"404", nil, power("gone"), panel.ErrNotFound, `Shardlyn has no instance "gone"`},
		{"409", nil, power("i-new"), panel.ErrConflict, "because of the instance's state: instance is installing"},
		{"429 on power", func(s *shardsim.Sim) { s.FailNext(429, "rate limit exceeded") }, power("i-1"),
			panel.ErrRateLimited, "Try again in"},
		{"500 on power", func(s *shardsim.Sim) { s.FailNext(500, "boom") }, power("i-1"),
			panel.ErrUnavailable, "not answering properly"},
		{"revoked api token", func(s *shardsim.Sim) { s.RevokeAPIToken() }, list,
			panel.ErrUnauthorized, "Shardlyn refused the bot's API token"},
		{"malformed id", nil, power("a/b"), panel.ErrNotFound, "not a Shardlyn instance id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, clk := setup(t, shardsim.WithInstances(
				shardsim.Instance{ID: "i-1"},
				shardsim.Instance{ID: "i-ro", ReadOnly: true},
				shardsim.Instance{ID: "i-new", Status: "installing"},
			))
			if tc.setup != nil {
				tc.setup(sim)
			}
			err := tc.call(tokenClient(t, sim, clk))
			require.ErrorIs(t, err, tc.kind)
			assert.Contains(t, panel.UserMessage(err), tc.message)
			assert.LessOrEqual(t, len(sim.Requests()), 1, "nothing but GETs is resent")
		})
	}
}

func power(id string) func(*shardlyn.Client) error {
	return func(c *shardlyn.Client) error { return c.Power(context.Background(), id, panel.SignalStart) }
}

func list(c *shardlyn.Client) error {
	_, err := c.Servers(context.Background())
	return err
}

func TestRateLimitedPowerSaysWhenToRetry(t *testing.T) {
	sim, clk := setup(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1"}), shardsim.WithRateLimit(1, 10e9))
	c := tokenClient(t, sim, clk)
	sim.FailNext(429, "rate limit exceeded")
	err := c.Power(context.Background(), "i-1", panel.SignalStart)
	pe := panelErr(t, err)
	assert.Equal(t, panel.ErrRateLimited, pe.Class)
	assert.Equal(t, 10e9, float64(pe.RetryAfter), "read from X-RateLimit-Reset")
	assert.Equal(t, 1, len(sim.Requests()))
}

func TestErrorsNeverLeakSecrets(t *testing.T) {
	sim, clk := setup(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1"}))
	pw := passwordClient(t, sim, clk)
	tok := tokenClient(t, sim, clk)
	ctx := context.Background()
	var errs []error
	sim.FailNext(400, "bad token "+sim.APIToken())
	errs = append(errs, tok.Power(ctx, "i-1", panel.SignalStart))
	_, err := pw.Servers(ctx) // logs in
	require.NoError(t, err)
	sim.FailNext(400, "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln was bad; password "+sim.Password())
	errs = append(errs, pw.Power(ctx, "i-1", panel.SignalStop))
	sim.SetDown(true)
	_, err = pw.Servers(ctx)
	errs = append(errs, err)
	sim.SetDown(false)
	bad := newClient(t, sim, clk, shardlyn.Password(sim.Email(), "wrong-password-123"))
	_, err = bad.Servers(ctx)
	errs = append(errs, err)
	testkit.RequireNoLeak(t, errs, sim.APIToken(), sim.Password(), "wrong-password-123", "eyJ", sim.URL(), "http://")
	assert.Contains(t, errs[0].Error(), "[redacted]")
}

func TestLogSocketAddressAndCredential(t *testing.T) {
	sim, clk := setup(t, shardsim.WithInstances(shardsim.Instance{ID: "i-1"}))
	c := passwordClient(t, sim, clk)
	s, err := c.LogSocket(context.Background(), "i-1")
	require.NoError(t, err)
	assert.Equal(t, "ws"+strings.TrimPrefix(sim.URL(), "http")+"/v1/instances/i-1/logs", s.URL)
	assert.True(t, strings.HasPrefix(s.Header().Get("Authorization"), "Bearer eyJ"))
	assert.Equal(t, clk.Now().Add(shardsim.AccessTokenTTL), s.Expires)
	assert.NotContains(t, s.String(), "eyJ")
	assert.True(t, c.SocketRenewable())
	assert.False(t, tokenClient(t, sim, clk).SocketRenewable())
}
