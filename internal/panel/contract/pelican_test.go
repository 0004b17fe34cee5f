package contract

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console/wings/wingssim"
	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl/pterosim"
)

// Pelican is the Pterodactyl client with WithKind("pelican"); these tests
// cover where Pelican differs (wings-websocket.md): 15-minute websocket
// tokens with a `scope` claim, 256 requests a minute, a command to an
// offline server answered 204 and dropped, and 5 websocket credentials a
// minute per server.

// pelicanStart is the sims' clock in these tests: far from the real time,
// so an expiry computed from time.Now instead of read from the token shows.
var pelicanStart = time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)

func newPelican(t *testing.T, opts ...pterosim.Option) (*pterosim.Sim, *pterodactyl.Client) {
	t.Helper()
	clk := manualclock.New(pelicanStart)
	sim := pterosim.New(t, append([]pterosim.Option{pterosim.WithClock(clk), pterosim.WithPelican(), pteroFleet()}, opts...)...)
	return sim, newPteroClient(t, sim.URL(), sim.APIKey(), true, stdTimeout)
}

// tokenClaims reads a JWT's payload without checking its signature.
type tokenClaims struct {
	IssuedAt   int64  `json:"iat"`
	Expires    int64  `json:"exp"`
	Scope      string `json:"scope"`
	ServerUUID string `json:"server_uuid"`
}

func readClaims(t *testing.T, token string) tokenClaims {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "a JWT")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c tokenClaims
	require.NoError(t, json.Unmarshal(payload, &c))
	return c
}

// TestSocketTokenLifetime: the expiry the client reports is the token's
// exp, 15 minutes after issue on Pelican and 10 on Pterodactyl, on the
// panel's clock rather than the bot's.
func TestSocketTokenLifetime(t *testing.T) {
	for _, tc := range []struct {
		pelican bool
		want    time.Duration
	}{{false, 10 * time.Minute}, {true, 15 * time.Minute}} {
		t.Run(strconv.FormatBool(tc.pelican), func(t *testing.T) {
			t.Parallel()
			opts := []pterosim.Option{pterosim.WithClock(manualclock.New(pelicanStart)), pteroFleet()}
			if tc.pelican {
				opts = append(opts, pterosim.WithPelican())
			}
			sim := pterosim.New(t, opts...)
			c := newPteroClient(t, sim.URL(), sim.APIKey(), tc.pelican, stdTimeout)
			creds, err := c.SocketCredentials(ctxT(t), pteroRunning)
			require.NoError(t, err)
			claims := readClaims(t, creds.Token)
			assert.Equal(t, tc.want, time.Duration(claims.Expires-claims.IssuedAt)*time.Second)
			assert.True(t, creds.Expires.Equal(time.Unix(claims.Expires, 0)), "Expires is the token's exp")
			assert.True(t, creds.Expires.Equal(pelicanStart.Add(tc.want)), "on the panel's clock: %s", creds.Expires)
			assert.NotContains(t, creds.String(), creds.Token)
		})
	}
}

// TestPelicanNodeScope: with a Pelican Wings node behind the panel, the
// token is the node's, carries scope "websocket" and lasts 15 minutes; a
// Pterodactyl node's carries no scope and lasts 10.
func TestPelicanNodeScope(t *testing.T) {
	for _, tc := range []struct {
		pelican bool
		scope   string
		want    time.Duration
	}{{false, "", 10 * time.Minute}, {true, "websocket", 15 * time.Minute}} {
		t.Run(strconv.FormatBool(tc.pelican), func(t *testing.T) {
			t.Parallel()
			var nodeOpts []wingssim.Option
			simOpts := []pterosim.Option{pteroFleet()}
			if tc.pelican {
				nodeOpts, simOpts = append(nodeOpts, wingssim.WithPelican()), append(simOpts, pterosim.WithPelican())
			}
			node := wingssim.New(t, nodeOpts...)
			sim := pterosim.New(t, append(simOpts, pterosim.WithNode(node))...)
			spec, ok := sim.Server(pteroRunning)
			require.True(t, ok)
			c := newPteroClient(t, sim.URL(), sim.APIKey(), tc.pelican, stdTimeout)
			creds, err := c.SocketCredentials(ctxT(t), pteroRunning)
			require.NoError(t, err)
			claims := readClaims(t, creds.Token)
			assert.Equal(t, tc.scope, claims.Scope)
			assert.Equal(t, spec.UUID, claims.ServerUUID)
			assert.Equal(t, node.SocketURL(spec.UUID), creds.URL)
			assert.True(t, creds.Expires.Equal(node.Now().Add(tc.want)), "node clock %s, expires %s", node.Now(), creds.Expires)
		})
	}
}

// rawGet asks the sim's list directly, as a second app on the same key
// would, and returns the answer's status and headers.
func rawGet(t *testing.T, sim *pterosim.Sim) (int, http.Header) {
	t.Helper()
	return raw(t, sim, http.MethodGet, "/api/client", "")
}

// raw sends one request to the sim as another app on the same key would.
func raw(t *testing.T, sim *pterosim.Sim, method, path, body string) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), method, sim.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+sim.APIKey())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode, resp.Header
}

// TestPelicanRateLimit: Pelican allows 256 requests a minute and says so in
// the headers; once another user of the key has spent the window, the
// client reports ErrRateLimited with when to retry, never an outage.
func TestPelicanRateLimit(t *testing.T) {
	t.Parallel()
	sim, c := newPelican(t)
	status, h := rawGet(t, sim)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, strconv.Itoa(pterosim.DefaultPelicanRateLimit), h.Get("X-RateLimit-Limit"))
	assert.Equal(t, "255", h.Get("X-RateLimit-Remaining"))
	for range pterosim.DefaultPelicanRateLimit - 1 {
		status, _ = rawGet(t, sim)
		require.Equal(t, http.StatusOK, status)
	}
	status, h = rawGet(t, sim)
	require.Equal(t, http.StatusTooManyRequests, status, "request 257 of the minute")
	require.NotEmpty(t, h.Get("Retry-After"))

	_, err := c.Servers(ctxT(t))
	pe := requireKind(t, err, panel.ErrRateLimited)
	assert.NotErrorIs(t, err, panel.ErrUnavailable)
	assert.Greater(t, pe.RetryAfter, 5*time.Second, "the rest of the minute")
	assert.Contains(t, panel.UserMessage(err), "Try again in")
}

// TestPelicanClientKeepsToHeaders: a client that has spent the window
// (Remaining 0) holds its next request back instead of meeting a 429.
func TestPelicanClientKeepsToHeaders(t *testing.T) {
	t.Parallel()
	sim, c := newPelican(t)
	ctx := ctxT(t)
	_, err := c.Servers(ctx) // caches the limits, so each status is one request
	require.NoError(t, err)
	for range pterosim.DefaultPelicanRateLimit - 1 {
		_, err := c.Resources(ctx, pteroRunning)
		require.NoError(t, err)
	}
	_, err = c.Resources(ctx, pteroRunning)
	requireKind(t, err, panel.ErrRateLimited)
	assert.Len(t, sim.Requests(), pterosim.DefaultPelicanRateLimit, "the 257th request was not sent")
	assert.Zero(t, countStatus(sim.Requests(), http.StatusTooManyRequests))
}

// TestPelicanCommandToOfflineIsRefusedFirst: Pelican answers 204 to a
// command for an offline server and drops it, so the client asks the
// server's state first and refuses with ErrOffline, sending nothing.
func TestPelicanCommandToOfflineIsRefusedFirst(t *testing.T) {
	t.Parallel()
	node := wingssim.New(t, wingssim.WithPelican())
	sim, c := newPelican(t, pterosim.WithNode(node))
	spec, ok := sim.Server(pteroOffline)
	require.True(t, ok)

	status, _ := raw(t, sim, http.MethodPost, "/api/client/servers/"+pteroOffline+"/command", `{"command":"say hi"}`)
	assert.Equal(t, http.StatusNoContent, status, "the simulator drops it as Pelican does")

	err := c.Command(ctxT(t), pteroOffline, "say anyone there?")
	requireKind(t, err, panel.ErrOffline)
	assert.Equal(t, 1, sim.Count(http.MethodPost, "/api/client/servers/"+pteroOffline+"/command"), "only the raw request reached it")
	assert.Empty(t, node.Commands(spec.UUID), "the node never received anything")

	require.NoError(t, c.Command(ctxT(t), pteroRunning, "say hi"), "a running server takes commands")
}

// TestPelicanSocketThrottle: Pelican allows 5 websocket credentials a
// minute per server; the sixth is ErrRateLimited with when to retry, and is
// not retried.
func TestPelicanSocketThrottle(t *testing.T) {
	t.Parallel()
	sim, c := newPelican(t)
	ctx := ctxT(t)
	for range 5 {
		_, err := c.SocketCredentials(ctx, pteroRunning)
		require.NoError(t, err)
	}
	_, err := c.SocketCredentials(ctx, pteroRunning)
	pe := requireKind(t, err, panel.ErrRateLimited)
	assert.Greater(t, pe.RetryAfter, 5*time.Second)
	assert.Contains(t, panel.UserMessage(err), "Try again in")
	assert.Equal(t, 6, sim.Count(http.MethodGet, "/api/client/servers/"+pteroRunning+"/websocket"))
}

// TestPelicanSocketThrottleIsPerServer: the websocket throttle is per
// server and per endpoint (wings-websocket.md §1), so spending it on one
// server's console must not stop the rest of the API: another server's
// console, the list, status and power.
func TestPelicanSocketThrottleIsPerServer(t *testing.T) {
	t.Parallel()
	_, c := newPelican(t)
	ctx := ctxT(t)
	for range 5 {
		_, err := c.SocketCredentials(ctx, pteroRunning)
		require.NoError(t, err)
	}
	_, err := c.SocketCredentials(ctx, pteroRunning)
	requireKind(t, err, panel.ErrRateLimited)

	_, otherErr := c.SocketCredentials(ctx, pteroOffline)
	_, listErr := c.Servers(ctx)
	require.NoError(t, otherErr, "another server's console")
	require.NoError(t, listErr, "the server list")
}
