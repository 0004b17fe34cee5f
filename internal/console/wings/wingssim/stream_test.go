package wingssim

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/manualclock"
)

func TestStreamLinesWritesExactlyTheRateOnAManualClock(t *testing.T) {
	for _, rate := range []int{1, 7, 200, 333} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			n := New(t, WithStatsEvery(0), WithStallTimeout(time.Minute))
			n.SetState(uuid, "running")
			st := n.StreamLines(uuid, rate, "line %d") // before any client
			n.Advance(time.Second)
			require.Equal(t, rate, st.Lines())
			ws := authed(t, n)
			n.Advance(time.Second)
			assert.Equal(t, 2*rate, st.Lines())
			for i := rate + 1; i <= 2*rate; i++ {
				expect(t, ws, "console output", fmt.Sprintf("line %d", i))
			}
			st.Stop()
			n.Advance(time.Second)
			assert.Equal(t, 2*rate, st.Lines())
		})
	}
}

func TestStreamLinesRunsInRealTime(t *testing.T) {
	n := New(t, WithClock(clock.Real{}), WithStatsEvery(0), WithStallTimeout(time.Minute))
	n.SetState(uuid, "running")
	st := n.StreamLines(uuid, 200, "line %d")
	defer st.Stop()
	ws := authed(t, n)
	first := read(t, ws)
	require.Equal(t, "console output", first.Event)
	var k int
	_, err := fmt.Sscanf(first.Args[0], "line %d", &k)
	require.NoError(t, err)
	for i := k + 1; i < k+20; i++ { // in order, none missing
		expect(t, ws, "console output", fmt.Sprintf("line %d", i))
	}
}

func TestSharedManualClock(t *testing.T) {
	c := manualclock.New(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	n := New(t, WithClock(c), WithStatsEvery(0), WithTokenLifetime(80*time.Second))
	assert.Equal(t, c.Now(), n.Now())
	n.SetState(uuid, "running")
	ws := authed(t, n)
	wait := n.After(time.Minute) // a client waiting on the same clock
	assert.Equal(t, 1, n.Waiters(), "the node's own ticker is not a waiter")
	c.Advance(30 * time.Second) // the test moves the shared clock itself
	expect(t, ws, "token expiring")
	c.Advance(30 * time.Second)
	expect(t, ws, "token expiring")
	assert.Equal(t, c.Now(), <-wait)
}

func TestWithStartAndWithClockExclude(t *testing.T) {
	cfg := defaultConfig()
	require.NoError(t, WithStart(time.Now())(&cfg))
	require.NoError(t, WithClock(clock.Real{})(&cfg))
	assert.Error(t, cfg.finish())
}
