package httpapi

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/manualclock"
)

// bucket is a Client's bucket on the wall clock.
func bucket(n, maxBurst int, per, maxWait time.Duration) *Bucket {
	return (&Client{MaxWait: maxWait}).NewBucket(n, maxBurst, per)
}

// TestBucketNeverExceedsTheLimitInAnyWindow checks the sizing rule: a token
// bucket lets through at most floor(burst + rate·window) requests in any
// window, which must stay within the limit.
func TestBucketNeverExceedsTheLimitInAnyWindow(t *testing.T) {
	for _, n := range []int{1, 2, 5, 20, 60, 1000} {
		b := bucket(n, n, 10*time.Second, time.Minute)
		inWindow := float64(b.lim.Burst()) + float64(b.lim.Limit())*10
		assert.LessOrEqual(t, math.Floor(inWindow+1e-6), float64(n), "n=%d", n)
		assert.GreaterOrEqual(t, inWindow, float64(n)*0.9, "n=%d: not needlessly slow", n)
	}
	b := bucket(5, 5, 10*time.Second, time.Minute)
	assert.Equal(t, 1, b.lim.Burst())
	assert.InDelta(t, 0.4, float64(b.lim.Limit()), 1e-9, "one request every 2.5 s")
}

// TestBucketOfASmallBurstKeepsToTheLimit: Pterodactyl's sizing, a burst of
// at most 4 and n a minute: a token bucket lets burst + rate·1 min through
// in a minute, which must not exceed the limit it was given (it used to be
// rate = the limit, so 240 a minute let 244 through).
func TestBucketOfASmallBurstKeepsToTheLimit(t *testing.T) {
	for _, perMinute := range []int{1, 2, 3, 5, 20, 240, 256, 720, 60000} {
		b := bucket(perMinute, 4, time.Minute, 0)
		inMinute := float64(b.lim.Burst()) + float64(b.lim.Limit())*60
		assert.LessOrEqual(t, math.Floor(inMinute+1e-9), float64(perMinute), "%d a minute", perMinute)
		assert.GreaterOrEqual(t, inMinute, float64(perMinute)*0.9-1, "%d a minute: not needlessly slow", perMinute)
		assert.LessOrEqual(t, b.lim.Burst(), 4)
	}
}

func TestRateBucketTakesItsRateAndBurst(t *testing.T) {
	b := (&Client{}).NewRateBucket(0.5, 3)
	assert.Equal(t, 3, b.lim.Burst())
	assert.InDelta(t, 0.5, float64(b.lim.Limit()), 1e-9)
}

// TestBucketWithoutMaxWaitWaitsForItsTurn: MaxWait 0 leaves the bound to
// the caller's deadline; without one, the turn is waited for on the clock.
func TestBucketWithoutMaxWaitWaitsForItsTurn(t *testing.T) {
	clk := manualclock.New(time.Unix(0, 0))
	b := (&Client{Clock: clk}).NewBucket(1, 1, time.Hour)
	require.NoError(t, b.wait(context.Background()))
	done := make(chan error, 1)
	go func() { done <- b.wait(context.Background()) }()
	require.Eventually(t, func() bool { return clk.Pending() == 1 }, 5*time.Second, time.Millisecond)
	clk.Advance(time.Hour + 6*time.Minute)
	require.NoError(t, <-done)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var qf *queueFull
	require.ErrorAs(t, b.wait(ctx), &qf, "a deadline still bounds it")
}

func TestBucketRefusesAtOnceOrGivesTheSlotBack(t *testing.T) {
	b := bucket(1, 1, time.Hour, time.Minute)
	require.NoError(t, b.wait(context.Background()))

	start := time.Now()
	err := b.wait(context.Background())
	var qf *queueFull
	require.ErrorAs(t, err, &qf, "no deadline: maxWait bounds the queue")
	assert.Greater(t, qf.after, time.Hour)
	assert.Less(t, time.Since(start), time.Second)

	b = bucket(1, 1, 100*time.Millisecond, time.Minute)
	require.NoError(t, b.wait(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.wait(ctx) }()
	cancel()
	assert.True(t, errors.Is(<-done, context.Canceled))
}

func TestBucketPauseHoldsEveryRequest(t *testing.T) {
	b := bucket(1000, 1000, time.Second, time.Minute)
	b.Pause(time.Hour)
	b.Pause(time.Second) // a shorter pause does not shorten the longer one
	var qf *queueFull
	require.ErrorAs(t, b.wait(context.Background()), &qf)
	assert.Greater(t, qf.after, 59*time.Minute)
	assert.Contains(t, qf.Error(), "the next free slot is in")
}

// TestQueueContextLeavesTimeToAnswer: a turn that would come in the last
// quarter of the deadline is refused at once, not taken with no time left
// for the request itself.
func TestQueueContextLeavesTimeToAnswer(t *testing.T) {
	b := bucket(1, 1, time.Second, time.Minute) // one every 1.1 s
	require.NoError(t, b.wait(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 1300*time.Millisecond)
	defer cancel()
	qctx, qcancel := queueContext(ctx)
	defer qcancel()
	start := time.Now()
	var qf *queueFull
	require.ErrorAs(t, b.wait(qctx), &qf, "the turn at 1.1 s leaves 0.2 s of 1.3 s: too little")
	assert.Less(t, time.Since(start), 500*time.Millisecond, "refused at once")

	qctx, qcancel = queueContext(context.Background())
	defer qcancel()
	_, ok := qctx.Deadline()
	assert.False(t, ok, "no deadline, none added")
}
