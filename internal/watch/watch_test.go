package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

type fleet struct {
	targets []panel.Target
	calls   atomic.Int64
	fail    atomic.Bool
}

func (f *fleet) Targets(context.Context) ([]panel.Target, error) {
	if f.fail.Load() {
		return nil, errors.New("panel down")
	}
	return f.targets, nil
}

func newFleet(n int) *fleet {
	f := &fleet{}
	live := &paneltest.Client{FeatureSet: panel.Features(panel.FeatureResources),
		ResourcesFn: func(_ context.Context, id string) (panel.Resources, error) {
			f.calls.Add(1)
			if id == "broken" {
				return panel.Resources{}, &panel.Error{Class: panel.ErrUnavailable}
			}
			return panel.Resources{State: panel.StateRunning, Live: true, CPUPercent: 12}, nil
		}}
	for i := range n {
		f.targets = append(f.targets, panel.Target{Panel: "main", Server: panel.Server{ID: fmt.Sprint(i)}, Client: live})
	}
	f.targets = append(f.targets, panel.Target{Panel: "main", Server: panel.Server{ID: "broken"}, Client: live})
	noStats := &paneltest.Client{}
	f.targets = append(f.targets, panel.Target{Panel: "z", Server: panel.Server{ID: "104233", State: panel.StateOffline}, Client: noStats})
	return f
}

// advance moves a synctest bubble's fake clock: the bubble's goroutines
// run until all are blocked on the next timer.
func advance(d time.Duration) { <-time.After(d) }

type rounds struct {
	mu  sync.Mutex
	got [][]Snapshot
}

func (r *rounds) Observe(_ context.Context, round []Snapshot) {
	r.mu.Lock()
	r.got = append(r.got, round)
	r.mu.Unlock()
}

func (r *rounds) n() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.got) }

func TestOneFetchPerServerPerIntervalForEveryObserver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet(200)
		w, err := New(f, 30*time.Second, clock.Real{}, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		a, b := &rounds{}, &rounds{}
		w.Subscribe(a)
		w.Subscribe(b)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- w.Run(ctx) }()
		synctest.Wait()
		assert.Equal(t, 1, a.n(), "a round at once")
		advance(90 * time.Second) // three more intervals
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		assert.Equal(t, 4, a.n())
		assert.Equal(t, 4, b.n(), "every observer sees every round")
		assert.Equal(t, int64(4*201), f.calls.Load(), "one request per server with live figures per round, shared")
		last := a.got[3]
		require.Len(t, last, 202)
		assert.Equal(t, panel.StateRunning, last[0].Res.State)
		assert.ErrorIs(t, last[200].Err, panel.ErrUnavailable)
		assert.Equal(t, panel.StateOffline, last[201].Res.State, "a panel without live figures reports its list's state")
		assert.False(t, last[201].Res.Live)
		assert.Equal(t, last, w.Last())
	})
}

func TestAListThatFailsIsRetriedAndHeardNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet(1)
		f.fail.Store(true)
		w, err := New(f, time.Minute, clock.Real{}, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		r := &rounds{}
		w.Subscribe(r)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go func() { _ = w.Run(ctx) }()
		advance(30 * time.Second)
		synctest.Wait()
		assert.Zero(t, r.n())
		f.fail.Store(false)
		advance(time.Minute)
		synctest.Wait()
		assert.Positive(t, r.n(), "recovers by itself")
	})
}

func TestNewRefusesATooShortInterval(t *testing.T) {
	_, err := New(newFleet(1), 5*time.Second, clock.Real{}, slog.New(slog.DiscardHandler))
	assert.Error(t, err)
}

func TestAListThatFailsAfterARoundReportsItsServersUnreachable(t *testing.T) {
	f := newFleet(2)
	w, err := New(f, time.Minute, clock.Real{}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	r := &rounds{}
	w.Subscribe(r)
	require.NoError(t, w.Round(t.Context()))
	f.fail.Store(true)
	require.Error(t, w.Round(t.Context()), "the failure is still reported")
	require.Equal(t, 2, r.n())
	last := r.got[1]
	require.Len(t, last, len(f.targets))
	for _, s := range last {
		assert.Error(t, s.Err, s.Target.Key())
	}
}
