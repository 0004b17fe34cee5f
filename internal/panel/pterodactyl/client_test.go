package pterodactyl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/jwtclaims"
	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl/pterosim"
)

const (
	idA = "1a2b3c4d"
	idB = "2b3c4d5e"
	idC = "3c4d5e6f"
)

// testClock is a client's clock in tests: hand-moved, it records every wait
// the client starts and lets it pass at once, moving time on by it.
type testClock struct {
	*manualclock.Clock
	mu    sync.Mutex
	waits []time.Duration
}

func newClock() *testClock {
	return &testClock{Clock: manualclock.New(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))}
}

// After records the wait and lets it pass.
func (c *testClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	ch := c.Clock.After(d)
	c.Advance(d)
	return ch
}

// all is every wait so far, in order.
func (c *testClock) all() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// newClient builds a client that does not pace itself and does not really
// wait: its waits pass at once on the clock it returns.
func newClient(t *testing.T, baseURL, key string, opts ...Option) (*Client, *testClock) {
	t.Helper()
	clk := newClock()
	c, err := New(baseURL, key, append([]Option{WithRateLimit(600000), WithClock(clk)}, opts...)...)
	require.NoError(t, err)
	return c, clk
}

func threeServers() pterosim.Option {
	return pterosim.WithServers(
		pterosim.ServerSpec{Identifier: idA, Name: "Survival", Description: "main world", NodeName: "fr-1",
			Limits: panel.Limits{MemoryMB: 4096, DiskMB: 10000, CPUPercent: 200}, State: panel.StateRunning},
		pterosim.ServerSpec{Identifier: idB, Name: "Creative", Suspended: true},
		pterosim.ServerSpec{Identifier: idC, Name: "Modded", Installing: true},
	)
}

func TestNew(t *testing.T) {
	good := []struct{ in, want string }{
		{"https://panel.example.com", "https://panel.example.com/api/client"},
		{"https://panel.example.com/", "https://panel.example.com/api/client"},
		{"https://panel.example.com/api/client/", "https://panel.example.com/api/client"},
		{" http://10.0.0.5:8080/panel/ ", "http://10.0.0.5:8080/panel/api/client"},
	}
	for _, g := range good {
		c, err := New(g.in, "ptlc_key")
		require.NoError(t, err, g.in)
		assert.Equal(t, g.want, c.api.Base.String())
	}
	bad := []struct {
		url, key string
		opts     []Option
		want     string
	}{
		{"panel.example.com", "ptlc_k", nil, "absolute http(s)"},
		{"ftp://panel.example.com", "ptlc_k", nil, "absolute http(s)"},
		{"https://user:secretpw@panel.example.com", "ptlc_k", nil, "credentials"},
		{"https://panel.example.com/?x=1", "ptlc_k", nil, "query"},
		{"https://panel.example.com", "", nil, "empty"},
		{"https://panel.example.com", "ptla_secretAdminKey", nil, "application (admin) key"},
		{"https://panel.example.com", "peli_secretAdminKey", nil, "application (admin) key"},
		{"https://panel.example.com", "papp_secretAdminKey", nil, "application (admin) key"},
		{"https://panel.example.com", "ptlc_a b", nil, "spaces"},
		{"https://panel.example.com", "ptlc_k", []Option{WithRateLimit(0)}, "WithRateLimit"},
		{"https://panel.example.com", "ptlc_k", []Option{WithTimeout(0)}, "WithTimeout"},
		{"https://panel.example.com", "ptlc_k", []Option{WithMaxRetries(-1)}, "WithMaxRetries"},
		{"https://panel.example.com", "ptlc_k", []Option{WithKind("multicraft")}, "WithKind"},
		{"https://panel.example.com", "ptlc_k", []Option{WithHTTPClient(nil)}, "nil"},
		{"https://panel.example.com", "ptlc_k", []Option{WithClock(nil)}, "nil"},
	}
	for _, b := range bad {
		_, err := New(b.url, b.key, b.opts...)
		require.Error(t, err, b.want)
		assert.ErrorIs(t, err, panel.ErrConfig)
		assert.Contains(t, err.Error(), b.want)
		assert.NotContains(t, err.Error(), "secret", "no key or password in the error")
		assert.NotContains(t, panel.UserMessage(err), "secret")
	}
	c, err := New("https://p.example", "ptlc_k", WithKind("Pelican"))
	require.NoError(t, err)
	assert.Equal(t, "pelican", c.Kind())
	assert.True(t, c.Features().Has(panel.FeatureResources|panel.FeatureCommand|panel.FeatureConsole))
}

func TestServersAgainstSim(t *testing.T) {
	sim := pterosim.New(t, threeServers())
	c, _ := newClient(t, sim.URL(), sim.APIKey())
	servers, err := c.Servers(context.Background())
	require.NoError(t, err)
	require.Len(t, servers, 3)
	spec, _ := sim.Server(idA)
	assert.Equal(t, panel.Server{ID: idA, UUID: spec.UUID, Name: "Survival", Description: "main world", Node: "fr-1",
		Limits: panel.Limits{MemoryMB: 4096, DiskMB: 10000, CPUPercent: 200}}, servers[0])
	assert.True(t, servers[1].Suspended)
	assert.Equal(t, "installing", servers[2].Status)
	req := sim.Requests()[0]
	assert.Equal(t, "Application/vnd.pterodactyl.v1+json", req.Header.Get("Accept"))
	assert.Equal(t, "100", req.Query.Get("per_page"))

	// The list seeded the limits: a status costs one request.
	before := len(sim.Requests())
	res, err := c.Resources(context.Background(), idA)
	require.NoError(t, err)
	assert.Equal(t, before+1, len(sim.Requests()))
	assert.Equal(t, panel.StateRunning, res.State)
	assert.True(t, res.Live)
	assert.Equal(t, int64(4096)<<20, res.MemoryLimitBytes)
	assert.Equal(t, int64(10000)<<20, res.DiskLimitBytes)
	assert.Positive(t, res.CPUPercent)
	assert.Positive(t, res.MemoryBytes)
}

func TestServersPaginates(t *testing.T) {
	specs := make([]pterosim.ServerSpec, 250)
	for i := range specs {
		specs[i] = pterosim.ServerSpec{Identifier: fmt.Sprintf("%08x", i+1)}
	}
	sim := pterosim.New(t, pterosim.WithServers(specs...))
	c, _ := newClient(t, sim.URL(), sim.APIKey())
	servers, err := c.Servers(context.Background())
	require.NoError(t, err)
	require.Len(t, servers, 250)
	assert.Equal(t, "000000fa", servers[249].ID)
	var pages []string
	for _, r := range sim.Requests() {
		pages = append(pages, r.Query.Get("page"))
	}
	assert.Equal(t, []string{"1", "2", "3"}, pages)
}

func TestResourcesCachesLimits(t *testing.T) {
	sim := pterosim.New(t, threeServers())
	c, clk := newClient(t, sim.URL(), sim.APIKey())
	ctx := context.Background()
	_, err := c.Resources(ctx, idA)
	require.NoError(t, err)
	assert.Equal(t, 1, sim.Count("GET", "/api/client/servers/"+idA+"/resources"))
	assert.Equal(t, 2, sim.Count("GET", ""), "details, then resources")
	_, err = c.Resources(ctx, idA)
	require.NoError(t, err)
	assert.Equal(t, 3, sim.Count("GET", ""), "limits cached")
	clk.Advance(limitsTTL)
	_, err = c.Resources(ctx, idA)
	require.NoError(t, err)
	assert.Equal(t, 5, sim.Count("GET", ""), "limits read again when stale")
}

func TestResourcesErrorsAgainstSim(t *testing.T) {
	sim := pterosim.New(t, threeServers())
	c, _ := newClient(t, sim.URL(), sim.APIKey())
	ctx := context.Background()
	_, err := c.Resources(ctx, idB)
	assert.ErrorIs(t, err, panel.ErrConflict, "suspended")
	assert.Contains(t, err.Error(), "suspended")
	_, err = c.Resources(ctx, idC)
	assert.ErrorIs(t, err, panel.ErrConflict, "installing")
	_, err = c.Resources(ctx, "deadbeef")
	assert.ErrorIs(t, err, panel.ErrNotFound)
	assert.Contains(t, err.Error(), "resources deadbeef")
	n := len(sim.Requests())
	_, err = c.Resources(ctx, "../../account")
	assert.ErrorIs(t, err, panel.ErrInvalid)
	assert.Contains(t, panel.UserMessage(err), "identifier")
	assert.Equal(t, n, len(sim.Requests()), "a bad id never reaches the panel")
}

func TestPowerAndCommandAgainstSim(t *testing.T) {
	clk := newClock()
	sim := pterosim.New(t, pterosim.WithClock(clk), threeServers())
	c, _ := newClient(t, sim.URL(), sim.APIKey())
	ctx := context.Background()
	require.NoError(t, c.Power(ctx, idA, panel.SignalStop))
	assert.Equal(t, panel.StateStopping, sim.ServerState(idA))
	clk.Advance(pterosim.DefaultTransitionDelay)

	err := c.Command(ctx, idA, "say hello")
	require.ErrorIs(t, err, panel.ErrOffline)
	assert.Contains(t, err.Error(), "Server must be online")
	assert.Contains(t, panel.UserMessage(err), "offline")

	require.NoError(t, c.Power(ctx, idA, panel.SignalStart))
	require.NoError(t, c.Command(ctx, idA, "say hello"), "a starting server takes commands")
	reqs := sim.Requests()
	assert.JSONEq(t, `{"command":"say hello"}`, string(reqs[len(reqs)-1].Body))
	assert.Equal(t, "application/json", reqs[len(reqs)-1].Header.Get("Content-Type"))

	n := len(sim.Requests())
	for _, cmd := range []string{"", "   ", "say a\nop me", "x\r"} {
		assert.ErrorIs(t, c.Command(ctx, idA, cmd), panel.ErrInvalid, "%q", cmd)
	}
	assert.ErrorIs(t, c.Power(ctx, idA, "reboot"), panel.ErrInvalid)
	assert.ErrorIs(t, c.Power(ctx, "a/b", panel.SignalStart), panel.ErrInvalid)
	assert.Equal(t, n, len(sim.Requests()), "refused before sending")

	assert.ErrorIs(t, c.Power(ctx, idB, panel.SignalStart), panel.ErrConflict)
	assert.ErrorIs(t, c.Power(ctx, "ffffffff", panel.SignalStart), panel.ErrNotFound)
}

func TestPelicanCommandOffline(t *testing.T) {
	sim := pterosim.New(t, pterosim.WithPelican(), pterosim.WithServers(
		pterosim.ServerSpec{Identifier: idA}, pterosim.ServerSpec{Identifier: idB, State: panel.StateRunning}))
	c, _ := newClient(t, sim.URL(), sim.APIKey(), WithKind(KindPelican))
	err := c.Command(context.Background(), idA, "say hi")
	assert.ErrorIs(t, err, panel.ErrOffline, "Pelican would accept and drop it, so the client asks first")
	assert.Zero(t, sim.Count(http.MethodPost, "/api/client/servers/"+idA+"/command"), "nothing sent")
	assert.NoError(t, c.Command(context.Background(), idB, "say hi"))
	assert.Equal(t, 1, sim.Count(http.MethodPost, "/api/client/servers/"+idB+"/command"))

	pc, _ := newClient(t, sim.URL(), sim.APIKey())
	n := len(sim.Requests())
	require.NoError(t, pc.Command(context.Background(), idB, "say hi"))
	assert.Len(t, sim.Requests(), n+1, "Pterodactyl says 502 itself: no state check")
}

func TestFailuresAgainstSim(t *testing.T) {
	sim := pterosim.New(t, threeServers())
	ctx := context.Background()

	bad, _ := newClient(t, sim.URL(), "ptlc_wrongkey")
	_, err := bad.Servers(ctx)
	assert.ErrorIs(t, err, panel.ErrUnauthorized)

	c, sl := newClient(t, sim.URL(), sim.APIKey())
	sim.FailNext("/api/client/servers/"+idA+"/power", http.StatusTooManyRequests, 1)
	err = c.Power(ctx, idA, panel.SignalRestart)
	require.ErrorIs(t, err, panel.ErrRateLimited)
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, time.Second, pe.RetryAfter)
	assert.Equal(t, 1, sim.Count("POST", "/api/client/servers/"+idA+"/power"), "a power signal is never retried")

	sim.SetDown(true)
	before := sim.Count("GET", "/api/client")
	_, err = c.Servers(ctx)
	require.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Equal(t, before+3, sim.Count("GET", "/api/client"), "GET tried 1+2 times")
	assert.Contains(t, sl.all(), 250*time.Millisecond)
	sim.SetDown(false)

	sim.SetNodeDown(true)
	err = c.Power(ctx, idA, panel.SignalStart)
	assert.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Contains(t, panel.UserMessage(err), "cannot reach the node", "the panel answered: the node is down")
	_, err = c.Resources(ctx, idA)
	assert.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Contains(t, panel.UserMessage(err), "cannot reach the node")
}

func TestSocketCredentialsAgainstSim(t *testing.T) {
	clk := newClock()
	sim := pterosim.New(t, pterosim.WithClock(clk), threeServers())
	c, _ := newClient(t, sim.URL(), sim.APIKey())
	creds, err := c.SocketCredentials(context.Background(), idA)
	require.NoError(t, err)
	spec, _ := sim.Server(idA)
	assert.Equal(t, "wss://node.invalid:8080/api/servers/"+spec.UUID+"/ws", creds.URL)
	assert.WithinDuration(t, clk.Now().Add(10*time.Minute), creds.Expires, 0)
	assert.NotContains(t, creds.String(), creds.Token)
	_, err = c.SocketCredentials(context.Background(), idB)
	assert.ErrorIs(t, err, panel.ErrConflict)
}

// stubNode is a Wings node that hands out whatever the test says.
type stubNode struct{ token, socket string }

func (n stubNode) Credentials(string) (string, string, error) { return n.token, n.socket, nil }
func (stubNode) StateChanged(string, string)                  {}
func (stubNode) Command(string, string)                       {}

func TestSocketCredentialsOddTokens(t *testing.T) {
	tests := []struct {
		token, socket string
		ok            bool
	}{
		{"not-a-jwt", "wss://node.example:8080/api/servers/x/ws", true},
		{"a.!!!.c", "ws://node.example/ws", true},
		{"", "wss://node.example/ws", false},
		{"a.b.c", "https://node.example/ws", false},
		{"a.b.c", "", false},
	}
	for _, tt := range tests {
		sim := pterosim.New(t, pterosim.WithNode(stubNode{tt.token, tt.socket}), threeServers())
		c, _ := newClient(t, sim.URL(), sim.APIKey())
		creds, err := c.SocketCredentials(context.Background(), idA)
		if !tt.ok {
			assert.ErrorIs(t, err, panel.ErrBadResponse, tt)
			continue
		}
		require.NoError(t, err)
		assert.True(t, creds.Expires.IsZero(), "no readable exp")
	}
}

func TestJWTExpiry(t *testing.T) {
	enc := func(payload string) string {
		return "eyJhbGciOiJIUzI1NiJ9." + strings.TrimRight(b64(payload), "=") + ".sig"
	}
	tests := []struct {
		token string
		want  int64
	}{
		{enc(`{"exp":1750000000}`), 1750000000},
		{enc(`{"exp":1750000000.5}`), 1750000000},
		{enc(`{"exp":"1750000000"}`), 1750000000},
		{enc(`{"exp":-1}`), 0},
		{enc(`{"exp":1e300}`), 0},
		{enc(`{"nbf":1}`), 0},
		{enc(`[1]`), 0},
		{"a.b", 0},
	}
	for _, tt := range tests {
		got, ok := jwtclaims.Read(tt.token)
		if tt.want == 0 {
			assert.False(t, ok, tt.token)
			continue
		}
		assert.Equal(t, time.Unix(tt.want, 0), got.Expires, tt.token)
	}
}

func TestErrorsAreTyped(t *testing.T) {
	sim := pterosim.New(t, threeServers())
	c, _ := newClient(t, sim.URL(), sim.APIKey())
	err := c.Power(context.Background(), idB, panel.SignalKill)
	var pe *panel.Error
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "power kill "+idB, pe.Op)
	assert.Equal(t, http.StatusConflict, pe.Status)
	assert.Equal(t, "ServerStateConflictException", pe.Code)
}
