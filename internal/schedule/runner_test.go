package schedule_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
	"github.com/panelbot/panelbot/internal/schedule"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/store/sqlite"
)

// t0 is an hour before the test schedules' 04:00 run.
var t0 = time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)

// rig is a runner on a manual clock, a real store and a fake panel that
// writes down what reaches it.
type rig struct {
	clk    *manualclock.Clock
	store  *sqlite.Store
	mu     sync.Mutex
	sent   []string // "cmd <text>" or "power <signal>", with the clock's time
	audits []string
	deny   error // what the creator check returns
}

func newRig(t *testing.T, start time.Time) *rig {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return &rig{clk: manualclock.New(start), store: st}
}

func (g *rig) note(list *[]string, s string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	*list = append(*list, g.clk.Now().Format("15:04 ")+s)
}

func (g *rig) got() (sent, audits []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.sent...), append([]string(nil), g.audits...)
}

// Resolve gives every key the same fake pterodactyl-like server.
func (g *rig) Resolve(_ context.Context, ref string) (panel.Target, error) {
	c := &paneltest.Client{FeatureSet: panel.Features(panel.FeatureCommand),
		PowerFn: func(_ context.Context, _ string, s panel.Signal) error {
			g.note(&g.sent, "power "+string(s))
			return nil
		},
		CommandFn: func(_ context.Context, _, cmd string) error { g.note(&g.sent, "cmd "+cmd); return nil },
	}
	return panel.Target{Panel: "main", Server: panel.Server{ID: "a"}, Client: c}, nil
}

func (g *rig) Check(context.Context, store.Schedule, schedule.Action) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.deny
}

func (g *rig) AuditSchedule(_ context.Context, sc store.Schedule, outcome string, err error) {
	s := sc.Action + ": sent"
	if outcome != "" {
		s = sc.Action + ": " + outcome
	}
	if err != nil {
		s = sc.Action + ": " + err.Error()
	}
	g.note(&g.audits, s)
}

// start runs a runner until the test ends or stop is called.
func (g *rig) start(t *testing.T) (stop func()) {
	r, err := schedule.New(schedule.Config{Store: g.store, Targets: g, Creators: g, Audit: g, Clock: g.clk})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// parked waits until the clock holds n waits: after a restart the stopped
// runner's wait is still there, so the new one's makes two.
func (g *rig) parked(t *testing.T, n int) {
	require.Eventually(t, func() bool { return g.clk.Pending() == n }, 5*time.Second, time.Millisecond)
}

// advance waits until the runner is parked on the clock, then moves it.
func (g *rig) advance(t *testing.T, d time.Duration) {
	require.Eventually(t, func() bool { return g.clk.Pending() > 0 }, 5*time.Second, time.Millisecond)
	g.clk.Advance(d)
	require.Eventually(t, func() bool { return g.clk.Pending() > 0 }, 5*time.Second, time.Millisecond)
}

func (g *rig) add(t *testing.T, created time.Time) store.Schedule {
	sc, err := g.store.CreateSchedule(context.Background(), store.Schedule{GuildID: "1", ChannelID: "2",
		Server: "main/a", Action: "restart", When: "daily 04:00", CreatorID: "7", CreatedAt: created,
		Warnings: []time.Duration{10 * time.Minute, 5 * time.Minute, time.Minute}})
	require.NoError(t, err)
	return sc
}

func TestCountdownThenSignal(t *testing.T) {
	g := newRig(t, t0)
	g.add(t, t0)
	g.start(t)
	for _, d := range []time.Duration{49 * time.Minute, time.Minute, 5 * time.Minute, 4 * time.Minute, time.Minute} {
		g.advance(t, d)
	}
	sent, audits := g.got()
	assert.Equal(t, []string{"03:50 cmd say Server restarting in 10m", "03:55 cmd say Server restarting in 5m",
		"03:59 cmd say Server restarting in 1m", "04:00 power restart"}, sent)
	assert.Equal(t, []string{"04:00 restart: sent"}, audits)
	list, err := g.store.FindSchedules(context.Background())
	require.NoError(t, err)
	assert.Equal(t, t0.Add(time.Hour), list[0].LastRun, "the run is recorded")
}

func TestSurvivesRestart(t *testing.T) {
	g := newRig(t, t0)
	g.add(t, t0)
	stop := g.start(t)
	g.advance(t, 50*time.Minute)
	g.advance(t, 2*time.Minute)
	stop()
	g.start(t) // at 03:52: the 10m point is not sent again
	g.parked(t, 2)
	g.advance(t, 3*time.Minute)
	g.advance(t, 5*time.Minute)
	sent, _ := g.got()
	assert.Equal(t, []string{"03:50 cmd say Server restarting in 10m", "03:55 cmd say Server restarting in 5m",
		"04:00 power restart"}, sent, "the 1m point is passed over in one Advance; the run is not")
}

func TestMissedRunReportedNotRun(t *testing.T) {
	g := newRig(t, t0.Add(2*time.Hour)) // the bot was down at 04:00
	g.add(t, t0)
	g.start(t)
	g.advance(t, time.Minute)
	sent, audits := g.got()
	assert.Empty(t, sent)
	assert.Equal(t, []string{"05:00 restart: missed: the bot was not running at 2026-03-01 04:00 UTC; not run late"}, audits)
}

func TestRestartDoesNotRepeatAWarning(t *testing.T) {
	g := newRig(t, t0)
	g.add(t, t0)
	stop := g.start(t)
	g.advance(t, 50*time.Minute)
	stop()
	g.start(t) // at 03:50, just after the 10m point went out
	g.parked(t, 2)
	g.advance(t, 5*time.Minute)
	sent, _ := g.got()
	assert.Equal(t, []string{"03:50 cmd say Server restarting in 10m", "03:55 cmd say Server restarting in 5m"}, sent)
}

func TestLateByLessThanAMinuteStillRuns(t *testing.T) {
	g := newRig(t, t0.Add(time.Hour+30*time.Second))
	g.add(t, t0)
	g.start(t)
	g.advance(t, time.Second)
	sent, _ := g.got()
	assert.Equal(t, []string{"04:00 power restart"}, sent)
}

func TestCreatorLostRoleSkipped(t *testing.T) {
	g := newRig(t, t0.Add(58*time.Minute))
	g.deny = &acl.DeniedError{Tier: acl.Admin}
	g.add(t, t0)
	g.start(t)
	g.advance(t, time.Minute)
	g.advance(t, time.Minute)
	sent, audits := g.got()
	assert.Equal(t, []string{"03:59 cmd say Server restarting in 1m"}, sent, "no signal")
	require.Len(t, audits, 1)
	assert.Contains(t, audits[0], "04:00 restart: skipped, the creator no longer qualifies")
}

func TestWarnSkippedWithoutConsole(t *testing.T) {
	c := &paneltest.Client{}
	ok, why := schedule.CanWarn(context.Background(), panel.Target{Client: c})
	assert.False(t, ok)
	assert.Contains(t, why, "cannot send console commands")
	c.FeatureSet = panel.Features(panel.FeatureCommand | panel.FeatureResources)
	c.ResourcesFn = func(context.Context, string) (panel.Resources, error) {
		return panel.Resources{State: panel.StateOffline}, nil
	}
	ok, why = schedule.CanWarn(context.Background(), panel.Target{Client: c})
	assert.False(t, ok)
	assert.Equal(t, "the server is offline", why)
}
