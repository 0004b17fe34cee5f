package contract

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/serverprism"
	"github.com/panelbot/panelbot/internal/panel/serverprism/prismsim"
)

// The standard fleet on ServerPrism, which numbers its services.
const (
	prismRunning   = 1234
	prismOffline   = 1290
	prismUnknown   = "999999"
	prismWrongKey  = "7|notTheTokenOfThisCustomer000000"
	prismReads     = 100
	prismWrites    = 50
	prismWindow    = time.Second
	prismRetries   = 1
	prismBackoff   = 10 * time.Millisecond
	prismServerAPI = "/api/v1/client/servers"
)

// serverprismKind is the ServerPrism client against prismsim.
//
// Rules from document 001:
//   - FeatureResources and FeatureCommand; no console stream;
//   - wrong credentials: 401 "Unauthenticated." → ErrUnauthorized;
//   - a command to a server that is not running: 412 → ErrOffline;
//   - an unknown server (or another customer's): 404 → ErrNotFound;
//   - the panel down: the connection drops → ErrUnavailable; a node down
//     is 503 → ErrUnavailable;
//   - 429 carries Retry-After (the window, scaled here to 1 s);
//   - the timeout bounds the whole call, queueing and retries included.
func serverprismKind() kind {
	return kind{name: serverprism.Kind, start: startPrism}
}

func prismFleet() prismsim.Option {
	return prismsim.WithServers(
		prismsim.Server{ID: prismRunning, Name: runningName, Product: "Minecraft 4 GB", MemoryMB: 4096,
			DiskMB: 20480, CPUPercent: 200, State: prismsim.StateRunning, MemoryBytes: 1 << 30,
			CPUAbsolute: 37.5, DiskBytes: 3 << 30, RxBytes: 4096, TxBytes: 2048},
		prismsim.Server{ID: prismOffline, Name: offlineName, Product: "Minecraft 2 GB", MemoryMB: 2048,
			DiskMB: 10240, CPUPercent: 100},
	)
}

func startPrism(t *testing.T, log *errLog) *env {
	sim := prismsim.New(t, prismsim.WithRateLimits(prismReads, prismWrites, prismWindow), prismFleet())
	build := func(t *testing.T, baseURL, token string, timeout time.Duration) *serverprism.Client {
		c, err := serverprism.New(baseURL, token, serverprism.WithRateLimits(prismReads, prismWrites, prismWindow),
			serverprism.WithRetries(prismRetries, prismBackoff), serverprism.WithTimeout(timeout),
			serverprism.WithMaxQueueWait(2*time.Second))
		require.NoError(t, err)
		return c
	}
	e := &env{
		running: strconv.Itoa(prismRunning), offline: strconv.Itoa(prismOffline), unknown: prismUnknown,
		log: log, secrets: []string{sim.Token(), prismWrongKey}, credWord: "token",
		credKinds: []error{panel.ErrUnauthorized}, offlineCommand: offlineReported,
		setDown:         sim.SetDown,
		failNext:        func(_ *testing.T, status int) { sim.FailNext(prismServerAPI, status, 1) },
		throttleNextGET: func(*testing.T) { sim.FailNext(prismServerAPI, http.StatusTooManyRequests, 1) },
		throttleGETs:    func(_ *testing.T, n int) { sim.FailNext(prismServerAPI, http.StatusTooManyRequests, n) },
		throttled:       func() int { return sim.CountStatus(http.StatusTooManyRequests) },
		sent: func(id, action string) int {
			return sim.Count(http.MethodPost, prismServerAPI+"/"+id+"/"+action)
		},
		total:   func() int { return len(sim.Requests()) },
		state:   func(id string) panel.State { return panel.ParseState(sim.State(mustInt(id))) },
		advance: func() {},
		bound:   func(timeout time.Duration) time.Duration { return timeout },
	}
	e.newClient = func(t *testing.T, baseURL string, timeout time.Duration) panel.Client {
		return e.record(build(t, baseURL, sim.Token(), timeout))
	}
	e.wrongClient = func(t *testing.T) panel.Client {
		return e.record(build(t, sim.URL(), prismWrongKey, stdTimeout))
	}
	e.client = e.newClient(t, sim.URL(), stdTimeout)
	return e
}
