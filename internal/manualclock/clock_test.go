package manualclock_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/manualclock"
)

func TestAfterFiresOnlyWhenDue(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := manualclock.New(start)
	early, late := c.After(time.Second), c.After(3*time.Second)
	assert.Equal(t, 2, c.Pending())

	c.Advance(999 * time.Millisecond)
	select {
	case <-early:
		t.Fatal("fired before it was due")
	default:
	}
	c.Advance(time.Millisecond)
	assert.Equal(t, start.Add(time.Second), <-early)
	assert.Equal(t, 1, c.Pending())

	c.Advance(5 * time.Second)
	assert.Equal(t, start.Add(6*time.Second), <-late)
	assert.Zero(t, c.Pending())
	assert.Equal(t, start.Add(6*time.Second), <-c.After(0), "a wait of zero is over at once")
}

func TestSleepAdvancesUnlessCancelled(t *testing.T) {
	start := time.Unix(0, 0)
	c := manualclock.New(start)
	require.NoError(t, c.Sleep(context.Background(), time.Minute))
	assert.Equal(t, start.Add(time.Minute), c.Now())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, c.Sleep(ctx, time.Minute), context.Canceled)
	assert.Equal(t, start.Add(time.Minute), c.Now())
}
