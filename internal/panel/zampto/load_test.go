package zampto

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/zampto/zamptosim"
)

// outcome is what one call of the load test returned, and how long it took.
type outcome struct {
	err     error
	elapsed time.Duration
}

// burst runs lists list calls and powers power calls at once through c, each
// with its own deadline, and collects what they returned.
func burst(c *Client, lists, powers int, deadline time.Duration) []outcome {
	out := make([]outcome, lists+powers)
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			var err error
			if i < lists {
				_, err = c.Servers(ctx)
			} else {
				err = c.Power(ctx, "1", panel.Signals()[i%4])
			}
			out[i] = outcome{err: err, elapsed: time.Since(start)}
		}()
	}
	wg.Wait()
	return out
}

// TestLoadWithinOneWindowNeverMeetsA429 scales zampto's "5 requests per
// 10 s" down to 5 per 400 ms on both sides (the simulator counts on the real
// clock) and fires 200 list calls and 50 power signals at once, each allowed
// one window: the limiter lets through what fits, zampto refuses nothing,
// and every other call fails at once with ErrRateLimited instead of hanging.
func TestLoadWithinOneWindowNeverMeetsA429(t *testing.T) {
	const window = 400 * time.Millisecond
	sim := zamptosim.New(t, zamptosim.WithRateLimit(5, window))
	c, err := New(sim.URL(), sim.Token(), WithRateLimit(5, window), WithRetries(0, 0))
	require.NoError(t, err)

	start := time.Now()
	outcomes := burst(c, 200, 50, window)
	wall := time.Since(start)

	var ok, limited int
	for _, o := range outcomes {
		switch {
		case o.err == nil:
			ok++
		case errors.Is(o.err, panel.ErrRateLimited):
			limited++
			var pe *panel.Error
			require.ErrorAs(t, o.err, &pe)
			assert.Positive(t, pe.RetryAfter)
			assert.Contains(t, pe.Message, "5 requests per 0.4 seconds and the bot's queue is full")
			assert.Less(t, o.elapsed, window/2, "a call that cannot be served fails at once")
		default:
			t.Errorf("unexpected outcome: %v", o.err)
		}
	}
	assert.Zero(t, sim.CountStatus(http.StatusTooManyRequests), "the limiter must keep the bot under zampto's limit")
	assert.Equal(t, ok, len(sim.Requests()), "only the calls that succeeded reached zampto")
	assert.GreaterOrEqual(t, ok, 1)
	assert.LessOrEqual(t, ok, 5, "no more than one window's worth")
	assert.Equal(t, 250, ok+limited)
	assert.Less(t, wall, 2*window, "nothing hangs")
}

// TestLoadAcrossWindowsQueues gives the calls enough time: they all queue
// and succeed, across several windows, without a single 429.
func TestLoadAcrossWindowsQueues(t *testing.T) {
	// The client spaces requests a quarter window apart, so six span 1.25
	// windows: a 250 ms window leaves 62 ms for scheduling jitter on a busy
	// test machine, as 10 s leaves 2.5 s in production.
	const window = 250 * time.Millisecond
	sim := zamptosim.New(t, zamptosim.WithRateLimit(5, window))
	c, err := New(sim.URL(), sim.Token(), WithRateLimit(5, window), WithRetries(0, 0))
	require.NoError(t, err)

	for _, o := range burst(c, 6, 3, 5*time.Second) {
		require.NoError(t, o.err)
	}
	assert.Zero(t, sim.CountStatus(http.StatusTooManyRequests))
	assert.Len(t, sim.Requests(), 9)
}
