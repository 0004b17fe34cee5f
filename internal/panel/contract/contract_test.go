package contract

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

// kinds are every panel kind the bot drives, each against its simulator.
func kinds() []kind {
	return []kind{
		pterodactylKind(false),
		pterodactylKind(true),
		zamptoKind(),
		serverprismKind(),
		shardlynKind(false),
		shardlynKind(true),
	}
}

// contractCase is one promise every panel client keeps.
type contractCase struct {
	name string
	run  func(t *testing.T, e *env)
}

// cases is the contract: one table, run against every kind.
func cases() []contractCase {
	return []contractCase{
		{"servers-list", caseServers},
		{"features-resources", caseFeatureResources},
		{"features-command", caseFeatureCommand},
		{"command-offline", caseCommandOffline},
		{"resources-running", caseResourcesRunning},
		{"resources-offline", caseResourcesOffline},
		{"power-start", casePowerStart},
		{"power-sent-once-500", caseSentOnce("power", http.StatusInternalServerError)},
		{"power-sent-once-503", caseSentOnce("power", http.StatusServiceUnavailable)},
		{"command-sent-once-500", caseSentOnce("command", http.StatusInternalServerError)},
		{"command-sent-once-503", caseSentOnce("command", http.StatusServiceUnavailable)},
		{"unknown-server", caseUnknownServer},
		{"wrong-credentials", caseWrongCredentials},
		{"panel-down", casePanelDown},
		{"panel-hangs", casePanelHangs},
		{"rate-limited-get", caseRateLimited},
		{"rate-limit-persists", caseRateLimitPersists},
		{"cancelled-context", caseCancelled},
		{"cancel-while-rate-limited", caseCancelWhileRateLimited},
		{"cancel-while-hanging", caseCancelWhileHanging},
		{"unexpected-2xx", caseUnexpected2xx},
	}
}

// TestContract runs every case against every kind as kind/case; when a
// kind's cases have all finished, no error they met may show a secret.
func TestContract(t *testing.T) {
	for _, k := range kinds() {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			log := &errLog{}
			// Cleanup runs after the parallel subtests below have finished.
			t.Cleanup(func() { log.check(t, len(cases())) })
			for _, c := range cases() {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					log.started()
					c.run(t, k.start(t, log))
				})
			}
		})
	}
}

// caseServers: both servers are listed with an ID and a name, and the IDs
// are what the registry resolves to and what the other methods take.
func caseServers(t *testing.T, e *env) {
	ctx := ctxT(t)
	servers, err := e.client.Servers(ctx)
	require.NoError(t, err)
	names := map[string]string{}
	for _, s := range servers {
		assert.NotEmpty(t, s.ID)
		assert.NotEmpty(t, s.Name)
		names[s.ID] = s.Name
	}
	require.Equal(t, map[string]string{e.running: runningName, e.offline: offlineName}, names)

	reg := panel.NewRegistry()
	require.NoError(t, reg.Add("p", e.client, nil))
	for id, name := range names {
		byName, err := reg.Resolve(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, id, byName.Server.ID)
		byID, err := reg.Resolve(ctx, "p/"+id)
		require.NoError(t, err)
		assert.Equal(t, name, byID.Server.Name)
	}
	// A kill on the offline server changes nothing but proves Power takes
	// the listed ID as it is.
	require.NoError(t, e.client.Power(ctx, e.offline, panel.SignalKill))
	assert.Equal(t, 1, e.sent(e.offline, "power"))
}

// caseFeatureResources: Resources works iff FeatureResources; otherwise it
// is ErrUnsupported with a sentence for the user, and asks the panel nothing.
func caseFeatureResources(t *testing.T, e *env) {
	ctx := ctxT(t)
	before := e.total()
	_, err := e.client.Resources(ctx, e.running)
	if e.client.Features().Has(panel.FeatureResources) {
		require.NoError(t, err)
		return
	}
	requireKind(t, err, panel.ErrUnsupported)
	requireUsefulMessage(t, err, "")
	assert.Equal(t, before, e.total(), "an unsupported call sends no request")
}

// caseFeatureCommand: Command on a running server works iff FeatureCommand
// and reaches the panel once; otherwise ErrUnsupported, no request.
func caseFeatureCommand(t *testing.T, e *env) {
	ctx := ctxT(t)
	before := e.total()
	err := e.client.Command(ctx, e.running, "say hello")
	if e.client.Features().Has(panel.FeatureCommand) {
		require.NoError(t, err)
		assert.Equal(t, 1, e.sent(e.running, "command"))
		return
	}
	requireKind(t, err, panel.ErrUnsupported)
	requireUsefulMessage(t, err, "")
	assert.Equal(t, before, e.total(), "an unsupported call sends no request")
}

// caseCommandOffline: a command to an offline server is ErrOffline where
// the panel says so; Pelican answers 204 and drops it, so the client
// (and the bot) can only report success.
func caseCommandOffline(t *testing.T, e *env) {
	err := e.client.Command(ctxT(t), e.offline, "say hello")
	switch e.offlineCommand {
	case offlineReported:
		requireKind(t, err, panel.ErrOffline)
		requireUsefulMessage(t, err, "start")
	case offlineDropped:
		require.NoError(t, err, "the panel answered 204: the bot cannot know it was dropped")
		assert.Equal(t, 1, e.sent(e.offline, "command"))
		assert.Equal(t, panel.StateOffline, e.state(e.offline))
	case noCommands:
		requireKind(t, err, panel.ErrUnsupported)
	}
}

// caseResourcesRunning: the running server is running, with live figures
// that are never negative.
func caseResourcesRunning(t *testing.T, e *env) {
	if !e.client.Features().Has(panel.FeatureResources) {
		t.Skip("no FeatureResources: covered by features-resources")
	}
	res, err := e.client.Resources(ctxT(t), e.running)
	require.NoError(t, err)
	assert.Equal(t, panel.StateRunning, res.State)
	assert.True(t, res.Live, "every simulator reports figures for a running server")
	for name, v := range map[string]int64{
		"uptime": int64(res.Uptime), "memory": res.MemoryBytes, "memory limit": res.MemoryLimitBytes,
		"disk": res.DiskBytes, "disk limit": res.DiskLimitBytes, "rx": res.NetworkRxBytes, "tx": res.NetworkTxBytes,
	} {
		assert.GreaterOrEqual(t, v, int64(0), name)
	}
	assert.GreaterOrEqual(t, res.CPUPercent, 0.0)
}

// caseResourcesOffline: the offline server is reported offline.
func caseResourcesOffline(t *testing.T, e *env) {
	if !e.client.Features().Has(panel.FeatureResources) {
		t.Skip("no FeatureResources: covered by features-resources")
	}
	res, err := e.client.Resources(ctxT(t), e.offline)
	require.NoError(t, err)
	assert.Equal(t, panel.StateOffline, res.State)
}

// casePowerStart: start on the offline server is accepted, sent once, and
// the simulator's server leaves offline and ends up running.
func casePowerStart(t *testing.T, e *env) {
	ctx := ctxT(t)
	require.Equal(t, panel.StateOffline, e.state(e.offline))
	require.NoError(t, e.client.Power(ctx, e.offline, panel.SignalStart))
	assert.Equal(t, 1, e.sent(e.offline, "power"))
	assert.NotEqual(t, panel.StateOffline, e.state(e.offline), "the signal reached the server")
	e.advance()
	require.Eventually(t, func() bool { return e.state(e.offline) == panel.StateRunning },
		5*time.Second, 5*time.Millisecond)
	if e.client.Features().Has(panel.FeatureResources) {
		res, err := e.client.Resources(ctx, e.offline)
		require.NoError(t, err)
		assert.Equal(t, panel.StateRunning, res.State)
	}
}

// caseSentOnce: a power signal or a command whose answer is a 5xx is
// reported as a failure and never sent again.
func caseSentOnce(action string, status int) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		ctx := ctxT(t)
		if action == "command" && !e.client.Features().Has(panel.FeatureCommand) {
			t.Skip("no FeatureCommand: covered by features-command")
		}
		// Warm up (a login, a list), so that the failure meets the POST.
		_, err := e.client.Servers(ctx)
		require.NoError(t, err)
		e.failNext(t, status)
		if action == "power" {
			err = e.client.Power(ctx, e.running, panel.SignalRestart)
		} else {
			err = e.client.Command(ctx, e.running, "say once")
		}
		requireKind(t, err, panel.ErrUnavailable)
		requireUsefulMessage(t, err, "try again")
		assert.Equal(t, 1, e.sent(e.running, action), "sent at most once")
	}
}

// caseUnknownServer: every method that addresses a server says ErrNotFound
// for an id of the right shape that the panel does not know.
func caseUnknownServer(t *testing.T, e *env) {
	for _, m := range methods(e, ctxT(t), e.unknown) {
		if m.name == "servers" || !m.supported {
			continue
		}
		t.Run(m.name, func(t *testing.T) {
			err := m.call()
			requireKind(t, err, panel.ErrNotFound)
			requireUsefulMessage(t, err, "")
		})
	}
}

// caseWrongCredentials: refused credentials are the kind the adapter
// states, with a sentence naming what to fix; no power signal gets through.
func caseWrongCredentials(t *testing.T, e *env) {
	ctx := ctxT(t)
	c := e.wrongClient(t)
	_, err := c.Servers(ctx)
	requireKind(t, err, e.credKinds...)
	requireUsefulMessage(t, err, e.credWord)
	err = c.Power(ctx, e.offline, panel.SignalStart)
	requireKind(t, err, e.credKinds...)
	assert.Equal(t, panel.StateOffline, e.state(e.offline))
	if c.Features().Has(panel.FeatureResources) {
		_, err = c.Resources(ctx, e.running)
		requireKind(t, err, e.credKinds...)
	}
}
