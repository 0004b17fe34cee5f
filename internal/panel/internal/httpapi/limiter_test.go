package httpapi

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBucketNeverExceedsTheLimitInAnyWindow checks the sizing rule: a token
// bucket lets through at most floor(burst + rate·window) requests in any
// window, which must stay within the limit.
func TestBucketNeverExceedsTheLimitInAnyWindow(t *testing.T) {
	for _, n := range []int{1, 2, 5, 20, 60, 1000} {
		b := NewBucket(nil, n, n, 10*time.Second, time.Minute)
		inWindow := float64(b.lim.Burst()) + float64(b.lim.Limit())*10
		assert.LessOrEqual(t, math.Floor(inWindow+1e-6), float64(n), "n=%d", n)
		assert.GreaterOrEqual(t, inWindow, float64(n)*0.9, "n=%d: not needlessly slow", n)
	}
	b := NewBucket(nil, 5, 5, 10*time.Second, time.Minute)
	assert.Equal(t, 1, b.lim.Burst())
	assert.InDelta(t, 0.4, float64(b.lim.Limit()), 1e-9, "one request every 2.5 s")
}

func TestBucketRefusesAtOnceOrGivesTheSlotBack(t *testing.T) {
	b := NewBucket(nil, 1, 1, time.Hour, time.Minute)
	require.NoError(t, b.Wait(context.Background()))

	start := time.Now()
	err := b.Wait(context.Background())
	var qf *queueFull
	require.ErrorAs(t, err, &qf, "no deadline: maxWait bounds the queue")
	assert.Greater(t, qf.after, time.Hour)
	assert.Less(t, time.Since(start), time.Second)

	b = NewBucket(nil, 1, 1, 100*time.Millisecond, time.Minute)
	require.NoError(t, b.Wait(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Wait(ctx) }()
	cancel()
	assert.True(t, errors.Is(<-done, context.Canceled))
}

func TestBucketPauseHoldsEveryRequest(t *testing.T) {
	b := NewBucket(nil, 1000, 1000, time.Second, time.Minute)
	b.Pause(time.Hour)
	b.Pause(time.Second) // a shorter pause does not shorten the longer one
	var qf *queueFull
	require.ErrorAs(t, b.Wait(context.Background()), &qf)
	assert.Greater(t, qf.after, 59*time.Minute)
	assert.Contains(t, qf.Error(), "the next free slot is in")
}

// TestQueueContextLeavesTimeToAnswer: a turn that would come in the last
// quarter of the deadline is refused at once, not taken with no time left
// for the request itself.
func TestQueueContextLeavesTimeToAnswer(t *testing.T) {
	b := NewBucket(nil, 1, 1, time.Second, time.Minute) // one every 1.1 s
	require.NoError(t, b.Wait(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 1300*time.Millisecond)
	defer cancel()
	qctx, qcancel := queueContext(ctx)
	defer qcancel()
	start := time.Now()
	var qf *queueFull
	require.ErrorAs(t, b.Wait(qctx), &qf, "the turn at 1.1 s leaves 0.2 s of 1.3 s: too little")
	assert.Less(t, time.Since(start), 500*time.Millisecond, "refused at once")

	qctx, qcancel = queueContext(context.Background())
	defer qcancel()
	_, ok := qctx.Deadline()
	assert.False(t, ok, "no deadline, none added")
}
