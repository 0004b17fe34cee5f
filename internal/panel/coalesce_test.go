package panel_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

func TestCoalescedBurstIsOneRequest(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	inner := &paneltest.Client{ResourcesFn: func(context.Context, string) (panel.Resources, error) {
		calls.Add(1)
		<-release
		return panel.Resources{State: panel.StateRunning, Live: true}, nil
	}}
	c := panel.Coalesce(inner, 5*time.Second, nil)

	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Resources(context.Background(), "abc")
			assert.NoError(t, err)
			assert.Equal(t, panel.StateRunning, res.State)
		}()
	}
	require.Eventually(t, func() bool { return calls.Load() == 1 }, time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	_, err := c.Resources(context.Background(), "abc")
	require.NoError(t, err)
	assert.EqualValues(t, 1, calls.Load(), "answers within the TTL come from the cache")
}

func TestCoalescedExpiresErrorsAndPower(t *testing.T) {
	now := time.Unix(0, 0)
	var calls atomic.Int32
	fail := true
	inner := &paneltest.Client{
		ResourcesFn: func(context.Context, string) (panel.Resources, error) {
			calls.Add(1)
			if fail {
				return panel.Resources{}, &panel.Error{Class: panel.ErrUnavailable}
			}
			return panel.Resources{State: panel.StateOffline}, nil
		},
		PowerFn: func(context.Context, string, panel.Signal) error { return nil },
	}
	c := panel.Coalesce(inner, 5*time.Second, func() time.Time { return now })
	ctx := context.Background()

	_, err := c.Resources(ctx, "s")
	require.ErrorIs(t, err, panel.ErrUnavailable)
	fail = false
	_, err = c.Resources(ctx, "s")
	require.NoError(t, err, "errors are not cached")
	require.EqualValues(t, 2, calls.Load())

	_, _ = c.Resources(ctx, "s")
	require.EqualValues(t, 2, calls.Load(), "cached")
	now = now.Add(6 * time.Second)
	_, _ = c.Resources(ctx, "s")
	require.EqualValues(t, 3, calls.Load(), "expired")

	require.NoError(t, c.Power(ctx, "s", panel.SignalStart))
	_, _ = c.Resources(ctx, "s")
	require.EqualValues(t, 4, calls.Load(), "a power signal forgets the cached status")
	assert.Same(t, inner, panel.Unwrap(c))
}

func TestCoalescedWaiterGivesUpAlone(t *testing.T) {
	release := make(chan struct{})
	inner := &paneltest.Client{ResourcesFn: func(context.Context, string) (panel.Resources, error) {
		<-release
		return panel.Resources{State: panel.StateRunning}, nil
	}}
	c := panel.Coalesce(inner, time.Second, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Resources(ctx, "s"); done <- err }()
	cancel()
	require.True(t, errors.Is(<-done, context.Canceled))
	close(release)
	res, err := c.Resources(context.Background(), "s")
	require.NoError(t, err)
	assert.Equal(t, panel.StateRunning, res.State)
}

func TestParseSignalAndState(t *testing.T) {
	for _, s := range panel.Signals() {
		got, err := panel.ParseSignal(string(s))
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	_, err := panel.ParseSignal("reboot")
	assert.ErrorContains(t, err, "use start, stop, restart or kill")
	assert.Equal(t, panel.StateRunning, panel.ParseState(" Running "))
	assert.Equal(t, panel.StateUnknown, panel.ParseState("exploded"))
	assert.True(t, panel.Features(panel.FeatureResources|panel.FeatureCommand).Has(panel.FeatureCommand))
	assert.False(t, panel.Features(panel.FeatureResources).Has(panel.FeatureConsole))
}

// TestRefreshAsksAnewAndIsShared: the watcher's Refresh always asks the
// panel, and what it got serves Resources until the cache expires.
func TestRefreshAsksAnewAndIsShared(t *testing.T) {
	var calls atomic.Int32
	inner := &paneltest.Client{ResourcesFn: func(context.Context, string) (panel.Resources, error) {
		n := calls.Add(1)
		return panel.Resources{State: panel.StateRunning, Live: true, CPUPercent: float64(n)}, nil
	}}
	c := panel.Coalesce(inner, time.Hour, nil)
	res, err := c.Resources(t.Context(), "abc")
	require.NoError(t, err)
	assert.Equal(t, 1.0, res.CPUPercent)
	res, err = c.Refresh(t.Context(), "abc")
	require.NoError(t, err)
	assert.Equal(t, 2.0, res.CPUPercent, "a refresh ignores the cache")
	res, err = c.Resources(t.Context(), "abc")
	require.NoError(t, err)
	assert.Equal(t, 2.0, res.CPUPercent, "and /status shares what it fetched")
	assert.Equal(t, int32(2), calls.Load())
}
