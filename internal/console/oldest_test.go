package console

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Oldest follows the queue: the first line waiting behind a blocked post,
// and nothing once everything went out.
func TestOldestIsTheFirstQueuedLine(t *testing.T) {
	rec := &recorder{gate: make(chan struct{})}
	h := newHarness(t, rec, nil)
	_, ok := h.hub.Oldest(testChannel)
	assert.False(t, ok, "nothing queued yet")

	start := h.clock.Now()
	h.lines("in flight")
	require.Eventually(t, func() bool { return h.hub.Stats(testChannel).Pending == 1 }, 5*time.Second, time.Millisecond)
	h.lines("queued")
	require.Eventually(t, func() bool { return h.hub.Stats(testChannel).Pending == 2 }, 5*time.Second, time.Millisecond)
	h.clock.Advance(time.Second)
	h.lines("later")
	require.Eventually(t, func() bool { return h.hub.Stats(testChannel).Pending == 3 }, 5*time.Second, time.Millisecond)
	at, ok := h.hub.Oldest(testChannel)
	require.True(t, ok)
	assert.True(t, at.Equal(start), "the first line still queued: %v", at)

	close(rec.gate)
	require.Eventually(t, func() bool { return h.hub.Stats(testChannel).Pending == 0 }, 5*time.Second, time.Millisecond)
	_, ok = h.hub.Oldest(testChannel)
	assert.False(t, ok)
	h.stop()
}
