package serverprism

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
	"github.com/panelbot/panelbot/internal/panel/serverprism/prismsim"
)

// TestLoadKeepsToBothBuckets scales the documented 60 reads and 20 writes
// per minute down to per 600 ms on both sides (the simulator counts on the
// real clock) and fires 150 status reads and 50 power signals at once, each
// allowed one window: ServerPrism refuses nothing, the rest fail at once
// with ErrRateLimited, and reads are not held up by writes.
func TestLoadKeepsToBothBuckets(t *testing.T) {
	const window = 600 * time.Millisecond
	sim := prismsim.New(t, prismsim.WithRateLimits(60, 20, window))
	c, err := New(sim.URL(), sim.Token(), WithRateLimits(60, 20, window), WithRetries(0, 0))
	require.NoError(t, err)

	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		okR, okW, n int
	)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), window)
			defer cancel()
			var err error
			if i < 150 {
				_, err = c.Resources(ctx, "1234")
			} else {
				err = c.Power(ctx, "1234", panel.SignalRestart)
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && i < 150:
				okR++
			case err == nil:
				okW++
			case errors.Is(err, panel.ErrRateLimited):
				n++
			default:
				t.Errorf("unexpected outcome: %v", err)
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, sim.CountStatus(http.StatusTooManyRequests))
	assert.Equal(t, 200, okR+okW+n)
	assert.GreaterOrEqual(t, okR, 12, "at least the read burst")
	assert.LessOrEqual(t, okR, 60)
	assert.GreaterOrEqual(t, okW, 4, "at least the write burst")
	assert.LessOrEqual(t, okW, 20)
}
