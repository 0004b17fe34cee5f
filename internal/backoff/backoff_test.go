package backoff

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/clock"
)

func TestDelayDoublesToTheCap(t *testing.T) {
	p := Policy{Base: time.Second, Max: 10 * time.Second}
	want := []time.Duration{1, 2, 4, 8, 10, 10}
	for i, w := range want {
		assert.Equal(t, w*time.Second, p.Delay(i), "attempt %d", i)
	}
	assert.Equal(t, 10*time.Second, p.Delay(1000), "a huge attempt must not overflow")
	assert.Equal(t, time.Second, p.Delay(-3))
}

func TestJitterOnlyShortens(t *testing.T) {
	p := Policy{Base: time.Second, Max: time.Minute, Jitter: 0.5}
	seen := map[time.Duration]bool{}
	for range 200 {
		d := p.Delay(3)
		require.GreaterOrEqual(t, d, 4*time.Second)
		require.LessOrEqual(t, d, 8*time.Second)
		seen[d] = true
	}
	assert.Greater(t, len(seen), 1, "jitter must vary the wait")
}

func TestSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, Sleep(ctx, clock.Real{}, time.Hour), context.Canceled)
	assert.NoError(t, Sleep(context.Background(), clock.Real{}, time.Nanosecond))
}
