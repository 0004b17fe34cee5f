package contract

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl/pterosim"
)

// The standard fleet's identifiers on Pterodactyl and Pelican: 8
// characters, the first part of the UUID.
const (
	pteroRunning = "1a2b3c4d"
	pteroOffline = "5e6f7a8b"
	pteroUnknown = "0badc0de"
	// pteroWrongKey has the ptlc_ shape but is no key the sim issued (the
	// sim's keys are hex; this is not).
	pteroWrongKey = "ptlc_notTheKeyTheSimulatorIssuedAtAll00"
)

// pterodactylKind is the Pterodactyl client against pterosim, or with
// pelican the same client (WithKind) against pterosim.WithPelican().
//
// Rules from the documents (002, 003, wings-websocket.md):
//   - wrong credentials: 401 AuthenticationException → ErrUnauthorized
//     (an application ptla_ key is refused by New as ErrConfig, and by the
//     panel with 403 → ErrForbidden);
//   - a command to an offline server: 502 → ErrOffline; Pelican answers
//     204 and drops it;
//   - the panel down: the sim answers 500 with an HTML page → ErrUnavailable;
//   - 429 carries Retry-After (FailNext: 1 s), which the client waits out;
//   - the client's timeout bounds the whole call, retries included.
func pterodactylKind(pelican bool) kind {
	name := pterodactyl.KindPterodactyl
	if pelican {
		name = pterodactyl.KindPelican
	}
	return kind{name: name, start: func(t *testing.T, log *errLog) *env {
		return startPtero(t, log, pelican)
	}}
}

// pteroFleet is the standard fleet as pterosim servers.
func pteroFleet() pterosim.Option {
	return pterosim.WithServers(
		pterosim.ServerSpec{Identifier: pteroRunning, Name: runningName, State: panel.StateRunning,
			Limits: panel.Limits{MemoryMB: 4096, DiskMB: 20480, CPUPercent: 200}},
		pterosim.ServerSpec{Identifier: pteroOffline, Name: offlineName,
			Limits: panel.Limits{MemoryMB: 2048, DiskMB: 10240}},
	)
}

// newPteroClient builds the client the cases use: its own pace far above
// anything a case sends, one retry.
func newPteroClient(t *testing.T, baseURL, key string, pelican bool, timeout time.Duration) *pterodactyl.Client {
	t.Helper()
	kindName := pterodactyl.KindPterodactyl
	if pelican {
		kindName = pterodactyl.KindPelican
	}
	c, err := pterodactyl.New(baseURL, key, pterodactyl.WithKind(kindName),
		pterodactyl.WithRateLimit(60000), pterodactyl.WithTimeout(timeout), pterodactyl.WithMaxRetries(1))
	require.NoError(t, err)
	return c
}

func startPtero(t *testing.T, log *errLog, pelican bool) *env {
	clk := manualclock.New(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	opts := []pterosim.Option{pterosim.WithClock(clk), pteroFleet()}
	rule := offlineReported
	if pelican {
		opts = append(opts, pterosim.WithPelican())
	}
	sim := pterosim.New(t, opts...)
	e := &env{
		running: pteroRunning, offline: pteroOffline, unknown: pteroUnknown, log: log,
		secrets: []string{sim.APIKey(), pteroWrongKey}, credWord: "key",
		credKinds: []error{panel.ErrUnauthorized}, offlineCommand: rule,
		setDown: sim.SetDown,
		failNext: func(_ *testing.T, status int) {
			// The write itself must fail: on Pelican a command is preceded
			// by a state check, which a failure must not be spent on.
			for _, action := range []string{"/power", "/command"} {
				sim.FailNext("/api/client/servers/"+pteroRunning+action, status, 1)
			}
		},
		throttleNextGET: func(*testing.T) { sim.FailNext("/api/client", http.StatusTooManyRequests, 1) },
		throttleGETs:    func(_ *testing.T, n int) { sim.FailNext("/api/client", http.StatusTooManyRequests, n) },
		throttled:       func() int { return countStatus(sim.Requests(), http.StatusTooManyRequests) },
		sent: func(id, action string) int {
			return sim.Count(http.MethodPost, "/api/client/servers/"+id+"/"+action)
		},
		total:   func() int { return len(sim.Requests()) },
		state:   sim.ServerState,
		advance: func() { clk.Advance(pterosim.DefaultTransitionDelay + time.Second); sim.Tick() },
		bound:   func(timeout time.Duration) time.Duration { return timeout },
	}
	e.newClient = func(t *testing.T, baseURL string, timeout time.Duration) panel.Client {
		return e.record(newPteroClient(t, baseURL, sim.APIKey(), pelican, timeout))
	}
	e.wrongClient = func(t *testing.T) panel.Client {
		return e.record(newPteroClient(t, sim.URL(), pteroWrongKey, pelican, stdTimeout))
	}
	e.client = e.newClient(t, sim.URL(), stdTimeout)
	return e
}

func countStatus(reqs []pterosim.Request, status int) int {
	n := 0
	for _, r := range reqs {
		if r.Status == status {
			n++
		}
	}
	return n
}
