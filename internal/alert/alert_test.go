package alert

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/watch"
)

// memStore is store.Alerts in a map, keeping times to the second as the
// real store does.
type memStore struct {
	mu sync.Mutex
	m  map[string]store.Alert
}

func (s *memStore) FindAlert(_ context.Context, server string, kind store.AlertCondition) (store.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.m[server+"|"+string(kind)]
	if !ok {
		return store.Alert{}, store.ErrNotFound
	}
	return a, nil
}

func (s *memStore) FindAlerts(context.Context) ([]store.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.Alert
	for _, a := range s.m {
		out = append(out, a)
	}
	return out, nil
}

func (s *memStore) PutAlert(_ context.Context, a store.Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.Since, a.Notified, a.Recovered = a.Since.Truncate(time.Second), a.Notified.Truncate(time.Second), a.Recovered.Truncate(time.Second)
	s.m[a.Server+"|"+string(a.Condition)] = a
	return nil
}

type notices struct{ got []Notice }

func (n *notices) Notify(_ context.Context, x Notice) error { n.got = append(n.got, x); return nil }

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testConfig() Config {
	return Config{Channel: "900", Limits: Limits{CPUPercent: 90, MemoryPercent: 90, DiskPercent: 95},
		For: 5 * time.Minute, Interval: 30 * time.Second}
}

func newEval(t *testing.T, st *memStore, n *notices, tails Tails, p *Powers) *Evaluator {
	t.Helper()
	e, err := New(testConfig(), st, n, tails, p, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	return e
}

var survival = panel.Target{Panel: "main", Server: panel.Server{ID: "1a2b3c4d", Name: "Survival",
	Limits: panel.Limits{MemoryMB: 1000, DiskMB: 1000, CPUPercent: 200}}}

func snap(at time.Duration, state panel.State, memPercent float64) watch.Snapshot {
	return watch.Snapshot{Target: survival, At: t0.Add(at), Res: panel.Resources{State: state, Live: true,
		MemoryBytes: int64(memPercent * 10 * (1 << 20)), MemoryLimitBytes: 1000 << 20}}
}

func kinds(ns []Notice) []string {
	var out []string
	for _, n := range ns {
		s := string(n.Condition)
		if n.Recovered {
			s += " recovered"
		}
		out = append(out, s)
	}
	return out
}

func TestMemoryThresholdWithHysteresis(t *testing.T) {
	cases := []struct {
		name string
		mem  []float64 // one round every minute
		want []string
	}{
		{"below: nothing", []float64{50, 80, 89, 50, 80, 89, 50}, nil},
		{"above for less than ALERT_FOR", []float64{95, 95, 95, 95, 80, 95}, nil},
		{"above for ALERT_FOR opens once", []float64{95, 95, 95, 95, 95, 95, 99, 100}, []string{"memory"}},
		{"flapping just under the threshold keeps one episode", []float64{95, 95, 95, 95, 95, 95, 88, 91, 86, 95, 89},
			[]string{"memory"}},
		{"clearly below recovers once", []float64{95, 95, 95, 95, 95, 95, 84, 20, 10}, []string{"memory", "memory recovered"}},
		{"a new episode after recovery", []float64{95, 95, 95, 95, 95, 95, 50, 95, 95, 95, 95, 95, 95},
			[]string{"memory", "memory recovered", "memory"}},
		{"flapping around the threshold never holds", []float64{95, 85, 95, 85, 95, 85, 95, 85, 95, 85}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := &notices{}
			e := newEval(t, &memStore{m: map[string]store.Alert{}}, n, nil, nil)
			for i, m := range c.mem {
				e.Observe(t.Context(), []watch.Snapshot{snap(time.Duration(i)*time.Minute, panel.StateRunning, m)})
			}
			assert.Equal(t, c.want, kinds(n.got))
		})
	}
}

func TestCPUAgainstTheLimitOrOneCore(t *testing.T) {
	s := snap(0, panel.StateRunning, 0)
	s.Res.CPUPercent = 150
	assert.InDelta(t, 75, figures(s)[string(CPU)].percent, 0.01, "150% of a 200% limit")
	s.Target.Server.Limits = panel.Limits{}
	assert.InDelta(t, 150, figures(s)[string(CPU)].percent, 0.01, "no limit: of one core")
	_, mem := figures(s)[string(Memory)]
	assert.True(t, mem, "the live figures carry the memory limit")
	s.Res.MemoryLimitBytes = 0
	_, mem = figures(s)[string(Memory)]
	assert.False(t, mem, "no limit known: no memory percentage")
}

func TestRestartMidEpisodeNeitherRepeatsNorForgets(t *testing.T) {
	st := &memStore{m: map[string]store.Alert{}}
	n := &notices{}
	e := newEval(t, st, n, nil, nil)
	for i := range 6 {
		e.Observe(t.Context(), []watch.Snapshot{snap(time.Duration(i)*time.Minute, panel.StateRunning, 95)})
	}
	require.Equal(t, []string{"memory"}, kinds(n.got))
	e = newEval(t, st, n, nil, nil) // the bot restarts
	for i := 7; i < 12; i++ {
		e.Observe(t.Context(), []watch.Snapshot{snap(time.Duration(i)*time.Minute, panel.StateRunning, 96)})
	}
	assert.Equal(t, []string{"memory"}, kinds(n.got), "no repeat after the restart")
	e.Observe(t.Context(), []watch.Snapshot{snap(13*time.Minute, panel.StateRunning, 10)})
	e.Observe(t.Context(), []watch.Snapshot{snap(14*time.Minute, panel.StateRunning, 10)})
	assert.Equal(t, []string{"memory", "memory recovered"}, kinds(n.got), "the recovery is announced, once")
	e = newEval(t, st, n, nil, nil)
	e.Observe(t.Context(), []watch.Snapshot{snap(15*time.Minute, panel.StateRunning, 10)})
	assert.Len(t, n.got, 2, "nothing left to say after another restart")
}

func TestCrashOpensAtOnceAndClosesWhenRunningAgain(t *testing.T) {
	var lines []string
	tails := func(string, int) []string { return lines }
	p := NewPowers()
	n := &notices{}
	e := newEval(t, &memStore{m: map[string]store.Alert{}}, n, tails, p)
	round := func(i int, s panel.State) {
		e.Observe(t.Context(), []watch.Snapshot{snap(time.Duration(i)*30*time.Second, s, 10)})
	}
	lines = []string{"[12:00] Done", "\x1b[31mboom\x1b[0m"}
	round(0, panel.StateRunning)
	round(1, panel.StateOffline)
	require.Equal(t, []string{"crash"}, kinds(n.got))
	assert.Equal(t, []string{"[12:00] Done", "boom"}, n.got[0].Tail, "the tail, sanitised")
	round(2, panel.StateOffline)
	round(3, panel.StateRunning)
	round(4, panel.StateRunning)
	assert.Equal(t, []string{"crash", "crash recovered"}, kinds(n.got))

	p.PowerNoted(survival.Key(), panel.SignalStop, t0.Add(4*30*time.Second))
	round(5, panel.StateStopping)
	round(6, panel.StateOffline)
	assert.Len(t, n.got, 2, "the bot's own stop is no crash")

	round(20, panel.StateRunning)
	lines = append(lines, "\x1b[33m[Pterodactyl Daemon]:\x1b[39m ---------- Detected server process in a crashed state! ----------", "Exit code: 1")
	round(21, panel.StateRunning)
	assert.Equal(t, []string{"crash", "crash recovered", "crash"}, kinds(n.got), "Wings' crash line, server already back up")
	round(22, panel.StateRunning)
	assert.Equal(t, []string{"crash", "crash recovered", "crash", "crash recovered"}, kinds(n.got), "the same line is not news twice")
}

func TestUnreachablePanelOnceAndRecovered(t *testing.T) {
	n := &notices{}
	e := newEval(t, &memStore{m: map[string]store.Alert{}}, n, nil, nil)
	down := &panel.Error{Class: panel.ErrUnavailable}
	for i := range 12 {
		s := watch.Snapshot{Target: survival, At: t0.Add(time.Duration(i) * time.Minute), Err: down}
		if i == 2 {
			s = snap(2*time.Minute, panel.StateRunning, 10) // one answer restarts the count
		}
		e.Observe(t.Context(), []watch.Snapshot{s})
	}
	require.Equal(t, []string{"unreachable"}, kinds(n.got))
	assert.Equal(t, "panel main", n.got[0].Subject)
	assert.Equal(t, t0.Add(3*time.Minute), n.got[0].Since)
	e.Observe(t.Context(), []watch.Snapshot{snap(13*time.Minute, panel.StateRunning, 10)})
	assert.Equal(t, []string{"unreachable", "unreachable recovered"}, kinds(n.got))
}

func TestFailedNoticeIsRetried(t *testing.T) {
	fail := true
	var got []Notice
	n := notifierFunc(func(_ context.Context, x Notice) error {
		if fail {
			return errors.New("discord down")
		}
		got = append(got, x)
		return nil
	})
	e, err := New(Config{Channel: "900", For: 0, Interval: 30 * time.Second}, &memStore{m: map[string]store.Alert{}}, n, nil, nil, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	e.Observe(t.Context(), []watch.Snapshot{snap(0, panel.StateRunning, 10)})
	e.Observe(t.Context(), []watch.Snapshot{snap(time.Minute, panel.StateOffline, 10)})
	fail = false
	e.Observe(t.Context(), []watch.Snapshot{snap(2*time.Minute, panel.StateOffline, 10)})
	e.Observe(t.Context(), []watch.Snapshot{snap(3*time.Minute, panel.StateOffline, 10)})
	assert.Equal(t, []string{"crash"}, kinds(got), "sent once, a round late")
}

type notifierFunc func(context.Context, Notice) error

func (f notifierFunc) Notify(ctx context.Context, n Notice) error { return f(ctx, n) }

func TestNewLines(t *testing.T) {
	assert.Equal(t, []string{"d"}, newLines([]string{"a", "b", "c"}, []string{"b", "c", "d"}))
	assert.Empty(t, newLines([]string{"a", "b"}, []string{"a", "b"}))
	assert.Equal(t, []string{"x", "y"}, newLines([]string{"a"}, []string{"x", "y"}))
}
