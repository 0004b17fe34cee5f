package contract

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/zampto"
	"github.com/panelbot/panelbot/internal/panel/zampto/zamptosim"
)

// The standard fleet on zampto, which numbers its servers.
const (
	zamptoRunning = 101
	zamptoOffline = 102
	zamptoUnknown = "999999"
	// zamptoWrongKey is long enough and plain enough to reach zampto's key
	// check (shorter or odd-looking keys are refused earlier, with 400s
	// the client also maps to ErrUnauthorized).
	zamptoWrongKey = "notTheKeyOfThisAccount0000000000"
	// zamptoLimit per zamptoWindow is the documented 5 per 10 s scaled
	// down in time, on both sides.
	zamptoLimit  = 20
	zamptoWindow = time.Second
	// zamptoRetries and zamptoBackoff keep retried GETs quick.
	zamptoRetries = 1
	zamptoBackoff = 10 * time.Millisecond
)

// zamptoKind is the zampto client against zamptosim.
//
// Rules from document 000:
//   - no FeatureResources and no FeatureCommand: both answer ErrUnsupported
//     without a request;
//   - wrong credentials: 401 "Unauthorized: Invalid API key" →
//     ErrUnauthorized (the 400s for a missing or malformed key too);
//   - an unknown server: 403 "Server not found, not existent, or
//     unauthorized" → ErrNotFound;
//   - the panel down: the connection drops → ErrUnavailable;
//   - 429: the sim's own sliding window, with Retry-After (FailNext sends
//     none, so the test fills the window instead);
//   - the timeout bounds the whole call, queueing and retries included.
func zamptoKind() kind {
	return kind{name: zampto.Kind, start: startZampto}
}

func zamptoFleet() zamptosim.Option {
	return zamptosim.WithServers(
		zamptosim.Server{ID: zamptoRunning, Name: runningName, UUID: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
			Identifier: "0f1e2d3c", MemoryMB: 4096, DiskMB: 20480, CPU: 2, NodeID: 1, Port: 25565,
			State: zamptosim.StateRunning},
		zamptosim.Server{ID: zamptoOffline, Name: offlineName, UUID: "1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809",
			Identifier: "1a2b3c4d", MemoryMB: 2048, DiskMB: 10240, CPU: 1, NodeID: 1, Port: 25566},
	)
}

func startZampto(t *testing.T, log *errLog) *env {
	sim := zamptosim.New(t, zamptosim.WithRateLimit(zamptoLimit, zamptoWindow), zamptoFleet())
	build := func(t *testing.T, baseURL, key string, timeout time.Duration) *zampto.Client {
		c, err := zampto.New(baseURL, key, zampto.WithRateLimit(zamptoLimit, zamptoWindow),
			zampto.WithRetries(zamptoRetries, zamptoBackoff), zampto.WithTimeout(timeout),
			zampto.WithMaxQueueWait(2*time.Second))
		require.NoError(t, err)
		return c
	}
	e := &env{
		running: strconv.Itoa(zamptoRunning), offline: strconv.Itoa(zamptoOffline), unknown: zamptoUnknown,
		log: log, secrets: []string{sim.Token(), zamptoWrongKey}, credWord: "key",
		credKinds: []error{panel.ErrUnauthorized}, offlineCommand: noCommands,
		setDown:         sim.SetDown,
		failNext:        func(_ *testing.T, status int) { sim.FailNext("/", status, 1) },
		throttleNextGET: func(t *testing.T) { fillWindow(t, sim.URL()+"/health") },
		// zampto documents no Retry-After; FailNext sends none, and the
		// client then waits a whole window.
		throttleGETs: func(_ *testing.T, n int) { sim.FailNext("/list", http.StatusTooManyRequests, n) },
		throttled: func() int {
			n := 0
			for _, r := range sim.Requests() {
				if r.Path != "/health" && r.Status == http.StatusTooManyRequests {
					n++
				}
			}
			return n
		},
		sent:    func(id, action string) int { return zamptoSent(sim, id, action) },
		total:   func() int { return len(sim.Requests()) },
		state:   func(id string) panel.State { return panel.ParseState(sim.State(mustInt(id))) },
		advance: func() {},
		bound:   func(timeout time.Duration) time.Duration { return timeout },
	}
	e.newClient = func(t *testing.T, baseURL string, timeout time.Duration) panel.Client {
		return e.record(build(t, baseURL, sim.Token(), timeout))
	}
	e.wrongClient = func(t *testing.T) panel.Client {
		return e.record(build(t, sim.URL(), zamptoWrongKey, stdTimeout))
	}
	e.client = e.newClient(t, sim.URL(), stdTimeout)
	return e
}

// zamptoSent counts power signals for a server: zampto names the server in
// the body of POST /<signal>, and has no command endpoint at all.
func zamptoSent(sim *zamptosim.Sim, id, action string) int {
	if action != "power" {
		return 0
	}
	n := 0
	for _, r := range sim.Requests() {
		if r.Method != http.MethodPost {
			continue
		}
		if _, err := panel.ParseSignal(strings.TrimPrefix(r.Path, "/")); err == nil &&
			strings.Contains(r.Body, `"server":`+id+`}`) {
			n++
		}
	}
	return n
}

// fillWindow sends requests until the panel's rate limit refuses one, so
// that the client's next request meets a 429 of the panel's own making.
func fillWindow(t *testing.T, url string) {
	t.Helper()
	for range 200 {
		resp, err := http.Get(url)
		require.NoError(t, err)
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			require.NotEmpty(t, resp.Header.Get("Retry-After"))
			return
		}
	}
	t.Fatal("the rate limit never refused a request")
}

func mustInt(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
