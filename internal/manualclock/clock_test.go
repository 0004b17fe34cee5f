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

func TestAfterFuncRunsInTimeOrderAtItsOwnTime(t *testing.T) {
	start := time.Unix(1000, 0)
	c := manualclock.New(start)
	var seen []time.Duration
	var tick func()
	tick = func() {
		seen = append(seen, c.Now().Sub(start))
		c.AfterFunc(30*time.Second, tick) // registered while firing, due in the same Advance
	}
	c.AfterFunc(30*time.Second, tick)
	c.AfterFunc(45*time.Second, func() { seen = append(seen, -c.Now().Sub(start)) })
	ch := c.After(40 * time.Second)

	c.Advance(95 * time.Second)
	assert.Equal(t, []time.Duration{30 * time.Second, 45 * -time.Second, 60 * time.Second, 90 * time.Second}, seen)
	assert.Equal(t, start.Add(95*time.Second), c.Now())
	assert.Equal(t, start.Add(95*time.Second), <-ch, "channel timers get the final time")
}

func TestAfterFuncStop(t *testing.T) {
	c := manualclock.New(time.Unix(0, 0))
	ran := false
	tm := c.AfterFunc(time.Second, func() { ran = true })
	assert.True(t, tm.Stop())
	assert.False(t, tm.Stop(), "a stopped timer cannot be stopped twice")
	c.Advance(time.Minute)
	assert.False(t, ran)
	assert.Zero(t, c.Pending(), "callbacks are not parked waiters")
}
