package contract

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/shardlyn"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

// The standard fleet on Shardlyn, whose instance ids are UUIDs.
const (
	shardRunning    = "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b"
	shardOffline    = "7a2d3b0f-4c5e-4f60-9b8c-2d3e4f5a6b7c"
	shardUnknown    = "00000000-0000-4000-8000-00000000dead"
	shardWrongToken = shardlyn.APITokenPrefix + "notTheTokenOfThisAccount"
	shardWrongPass  = "not-the-account-password"
	// shardTransition is how long starting and stopping last on the sim's
	// clock, so that a start is seen passing through "starting".
	shardTransition = 2 * time.Second
)

// shardlynKind is the Shardlyn client against shardsim, with an API token
// or (login) with the account's email and password. The client and the sim
// share a manual clock and the client waits on it, so no wait costs real
// time.
//
// Rules from document 004:
//   - FeatureResources, FeatureConsole and FeatureCommand: a command is one
//     text frame on the interactive console websocket; the sim refuses the
//     console of an instance that is not running (409) → ErrOffline;
//   - wrong credentials: 401 → ErrUnauthorized, for an API token and for a
//     refused login alike (the login then stops for 15 minutes);
//   - an unknown instance: 404 → ErrNotFound;
//   - the panel down: the connection drops → ErrUnavailable;
//   - 429: the document defines X-RateLimit-Limit/Remaining/Reset and no
//     Retry-After; the sim's 429 carries X-RateLimit-Reset, which the
//     client waits for;
//   - the timeout bounds the whole call, retries included.
func shardlynKind(login bool) kind {
	name := "shardlyn-token"
	if login {
		name = "shardlyn-login"
	}
	return kind{name: name, start: func(t *testing.T, log *errLog) *env { return startShard(t, log, login) }}
}

func startShard(t *testing.T, log *errLog, login bool) *env {
	clk := shardsim.NewClock()
	sim := shardsim.New(t, shardsim.WithClock(clk), shardsim.WithTransition(shardTransition),
		shardsim.WithInstances(
			shardsim.Instance{ID: shardRunning, Name: runningName, Node: "node-a", Status: "running"},
			shardsim.Instance{ID: shardOffline, Name: offlineName, Node: "node-a"},
		))
	good, wrong := shardlyn.APIToken(sim.APIToken()), shardlyn.APIToken(shardWrongToken)
	secrets, word := []string{sim.APIToken(), shardWrongToken}, "token"
	if login {
		good, wrong = shardlyn.Password(sim.Email(), sim.Password()), shardlyn.Password(sim.Email(), shardWrongPass)
		secrets, word = []string{sim.Password(), shardWrongPass}, "password"
	}
	build := func(t *testing.T, baseURL string, auth shardlyn.Auth, timeout time.Duration) *shardlyn.Client {
		c, err := shardlyn.New(baseURL, auth, shardlyn.WithClock(clk.Now), shardlyn.WithSleep(clk.Sleep),
			shardlyn.WithTimeout(timeout))
		require.NoError(t, err)
		return c
	}
	e := &env{
		running: shardRunning, offline: shardOffline, unknown: shardUnknown, log: log,
		secrets: secrets, credWord: word, credKinds: []error{panel.ErrUnauthorized}, offlineCommand: offlineReported,
		setDown:         sim.SetDown,
		failNext:        func(_ *testing.T, status int) { sim.FailNext(status, http.StatusText(status)) },
		throttleNextGET: func(*testing.T) { sim.FailNext(http.StatusTooManyRequests, "rate limit exceeded") },
		throttleGETs: func(_ *testing.T, n int) {
			for range n {
				sim.FailNext(http.StatusTooManyRequests, "rate limit exceeded")
			}
		},
		throttled: func() int { return shardCount(sim, "", "", http.StatusTooManyRequests) },
		sent:      func(id, action string) int { return shardSent(sim, id, action) },
		total:     func() int { return len(sim.Requests()) },
		state:     func(id string) panel.State { return shardState(sim.Status(id)) },
		advance:   func() { clk.Advance(shardTransition + time.Second) },
		bound:     func(timeout time.Duration) time.Duration { return timeout },
	}
	e.newClient = func(t *testing.T, baseURL string, timeout time.Duration) panel.Client {
		return e.record(build(t, baseURL, good, timeout))
	}
	e.wrongClient = func(t *testing.T) panel.Client { return e.record(build(t, sim.URL(), wrong, stdTimeout)) }
	e.client = e.newClient(t, sim.URL(), stdTimeout)
	return e
}

// shardSent counts power signals for an instance (each signal is its own
// endpoint) or the console websocket handshakes a command opens.
func shardSent(sim *shardsim.Sim, id, action string) int {
	if action == "command" {
		return sim.Count(http.MethodGet, "/v1/instances/"+id+"/console")
	}
	n := 0
	for _, s := range panel.Signals() {
		n += sim.Count(http.MethodPost, "/v1/instances/"+id+"/"+string(s))
	}
	return n
}

// shardCount counts requests by method and path ("" for any) and status.
func shardCount(sim *shardsim.Sim, method, path string, status int) int {
	n := 0
	for _, r := range sim.Requests() {
		if (method == "" || r.Method == method) && (path == "" || r.Path == path) && r.Status == status {
			n++
		}
	}
	return n
}

// shardState maps the sim's instance status onto the domain's states.
func shardState(status string) panel.State {
	if status == "stopped" {
		return panel.StateOffline
	}
	return panel.ParseState(status)
}
