package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

func TestQuietLineIsPostedAtOnceAndSafely(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		h := newHarness(t, rec, nil)
		h.lines("\x1b[32mhello\x1b[0m @everyone")
		synctest.Wait()
		calls := rec.all()
		require.Len(t, calls, 1)
		c := calls[0]
		assert.Equal(t, testChannel, c.channel)
		assert.Equal(t, "```\nhello @everyone\n```", c.content)
		assert.Equal(t, discordgo.MessageFlagsSuppressNotifications, c.flags)
		require.NotNil(t, c.mentions)
		raw, err := json.Marshal(c.mentions)
		require.NoError(t, err)
		assert.JSONEq(t, `{"parse":[],"replied_user":false}`, string(raw))
		assert.False(t, c.retry429, "discordgo must not retry 429s by itself")
		assert.Zero(t, c.restRetry, "discordgo must not re-send after a 502")
		h.stop()
	})
}

func TestBusyChannelPacksWhilePostBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{gate: make(chan struct{})}
		h := newHarness(t, rec, nil)
		h.lines("first")
		synctest.Wait() // the first post is now waiting for the bucket
		for i := range 50 {
			h.lines(fmt.Sprintf("busy line %02d", i))
		}
		synctest.Wait()
		close(rec.gate)
		synctest.Wait()
		calls := rec.all()
		require.Len(t, calls, 2)
		assert.Equal(t, "```\nfirst\n```", calls[0].content)
		_, code := blocks(t, calls[1].content)
		assert.Len(t, code, 50, "everything that came meanwhile goes in one message")
		h.stop()
	})
}

func TestLingerGathersABurstButQuietLinesGoAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		h := newHarness(t, rec, []Option{WithLinger(500 * time.Millisecond), WithFirstLinger(0)})
		h.lines("first")
		synctest.Wait()
		require.Len(t, rec.all(), 1, "a quiet channel posts at once")
		h.lines("second", "third")
		synctest.Wait()
		require.Len(t, rec.all(), 1, "right after a post, a partial message lingers")
		h.clock.Advance(499 * time.Millisecond)
		h.lines("fourth")
		synctest.Wait()
		require.Len(t, rec.all(), 1)
		h.clock.Advance(time.Millisecond)
		synctest.Wait()
		calls := rec.all()
		require.Len(t, calls, 2)
		assert.Equal(t, "```\nsecond\nthird\nfourth\n```", calls[1].content)

		// A full message's worth does not wait.
		for i := range 40 {
			h.lines(fmt.Sprintf("burst %02d %s", i, strings.Repeat(".", 50)))
		}
		synctest.Wait()
		require.Len(t, rec.all(), 3)
		assert.Greater(t, width(rec.all()[2].content), maxContent-70)

		// Nor does a command reply.
		h.relay.sender.Load().addUrgent("⚠ reply")
		synctest.Wait()
		require.Len(t, rec.all(), 4)
		assert.True(t, strings.HasPrefix(rec.all()[3].content, "⚠ reply"))

		// After a quiet spell, the next line goes at once again.
		h.clock.Advance(time.Second)
		synctest.Wait()
		require.Len(t, rec.all(), 4)
		h.lines("after a pause")
		synctest.Wait()
		require.Len(t, rec.all(), 5)
		h.stop()
	})
}

func TestRateLimitIsWaitedOutAndNothingLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{answer: func(n int, _ posted) error {
			if n == 0 {
				return rateLimited(3 * time.Second)
			}
			return nil
		}}
		h := newHarness(t, rec, nil)
		h.lines("a")
		synctest.Wait()
		h.lines("b")
		synctest.Wait()
		require.Len(t, rec.all(), 1)
		h.clock.Advance(3*time.Second - time.Millisecond)
		synctest.Wait()
		require.Len(t, rec.all(), 1, "retry_after not yet over")
		h.clock.Advance(time.Millisecond)
		synctest.Wait()
		calls := rec.all()
		require.Len(t, calls, 3)
		assert.Equal(t, "```\na\n```", calls[1].content, "the 429'd message is sent again as it was")
		assert.Equal(t, "```\nb\n```", calls[2].content)
		h.stop()
		st := h.hub.Stats(testChannel)
		assert.Equal(t, Stats{Lines: 2, Posted: 2, Messages: 2, RateLimited: 1, CodeChars: 2 * (fenceWidth + 1)}, st)
	})
}

func TestRateLimitGivesUpAfterMaxAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{answer: func(int, posted) error { return rateLimited(time.Second) }}
		h := newHarness(t, rec, nil)
		h.lines("a")
		for range maxAttempts - 1 {
			synctest.Wait()
			h.clock.Advance(time.Second)
		}
		synctest.Wait()
		st := h.hub.Stats(testChannel)
		assert.Equal(t, maxAttempts, st.RateLimited)
		assert.Equal(t, 1, st.Failed)
		assert.Len(t, rec.all(), maxAttempts, "no further attempt before the pause")
		h.cancel()
		<-h.done
		synctest.Wait() // the drain's timer is set
		h.clock.Advance(DefaultDrainTimeout)
		h.hub.Wait()
	})
}

func TestUnconfirmedPostIsNotSentAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{answer: func(n int, _ posted) error {
			if n == 0 {
				return errors.New("read tcp: connection reset by peer")
			}
			return nil
		}}
		h := newHarness(t, rec, nil)
		h.lines("a")
		synctest.Wait()
		h.lines("b")
		synctest.Wait()
		require.Len(t, rec.all(), 1, "paused after a failure")
		h.clock.Advance(retryPause(1))
		synctest.Wait()
		calls := rec.all()
		require.Len(t, calls, 2)
		text, code := blocks(t, calls[1].content)
		assert.Equal(t, []string{"⚠ 1 console lines may be missing: Discord did not confirm the message that held them"}, text)
		assert.Equal(t, []string{"b"}, code, "a is never sent twice")
		h.stop()
		st := h.hub.Stats(testChannel)
		assert.Equal(t, 1, st.Unconfirmed)
		assert.Equal(t, 1, st.Posted)
	})
}

func TestRefusedPostBacksOffAndIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{answer: func(n int, _ posted) error {
			if n < 2 {
				return restError(403)
			}
			return nil
		}}
		h := newHarness(t, rec, nil)
		h.lines("a")
		synctest.Wait()
		h.lines("b")
		synctest.Wait()
		h.clock.Advance(retryPause(1))
		synctest.Wait()
		require.Len(t, rec.all(), 2)
		_, code := blocks(t, rec.all()[1].content)
		assert.Equal(t, []string{"b"}, code, "a is not sent again")
		h.clock.Advance(retryPause(2) - time.Millisecond)
		synctest.Wait()
		require.Len(t, rec.all(), 2, "the pause doubles")
		h.clock.Advance(time.Millisecond)
		synctest.Wait()
		calls := rec.all()
		require.Len(t, calls, 3)
		assert.Equal(t, "⚠ 2 console lines were not posted: Discord refused the message (HTTP 403)", calls[2].content,
			"a and b: the message that reported a was refused too")
		assert.Equal(t, "```\na\n```", calls[0].content)
		h.stop()
	})
}

func TestFloodIsFoldedAndAccountedFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{gate: make(chan struct{})}
		h := newHarness(t, rec, nil)
		h.lines("start")
		synctest.Wait()
		for i := range 500 {
			h.lines(fmt.Sprintf("flood %03d %s", i, strings.Repeat("~", 70)))
		}
		synctest.Wait()
		h.clock.Advance(DefaultFoldAfter)
		close(rec.gate)
		synctest.Wait()
		calls := rec.all()
		require.Len(t, calls, 2)
		require.True(t, calls[1].hasFile)
		assert.True(t, strings.HasPrefix(calls[1].content, "📎 "), calls[1].content)
		fileLines := strings.Split(strings.TrimSuffix(calls[1].file, "\n"), "\n")
		_, code := blocks(t, calls[1].content)
		assert.Equal(t, 500, len(fileLines)+len(code))
		assert.Equal(t, "flood 000 "+strings.Repeat("~", 70), fileLines[0])
		h.stop()
		st := h.hub.Stats(testChannel)
		assert.Equal(t, 501, st.Posted+st.Folded)
		assert.Equal(t, 1, st.Attachments)
	})
}

func TestMemoryCapIsHonouredAndReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{gate: make(chan struct{})}
		h := newHarness(t, rec, []Option{WithMemoryCap(64<<10, 0)})
		h.lines("start")
		synctest.Wait()
		for i := range 1000 {
			h.lines(fmt.Sprintf("line %04d %s", i, strings.Repeat("-", 90)))
		}
		synctest.Wait()
		st := h.hub.Stats(testChannel)
		assert.Equal(t, 1000-(64<<10)/(100+lineOverhead), st.Dropped)
		close(rec.gate)
		synctest.Wait()
		calls := rec.all()
		require.GreaterOrEqual(t, len(calls), 2)
		assert.True(t, strings.HasPrefix(calls[1].content,
			fmt.Sprintf("⚠ %d console lines were dropped: the console produced more than the bot can hold", st.Dropped)), calls[1].content)
		h.stop()
		st = h.hub.Stats(testChannel)
		assert.Equal(t, st.Lines, st.Posted+st.Folded+st.Dropped)
	})
}

func TestStatusStatsAndNotices(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		h := newHarness(t, rec, nil)
		_, _, ok := h.relay.Latest()
		assert.False(t, ok)
		h.src.in <- Event{Kind: KindStatus, State: panel.StateRunning}
		synctest.Wait()
		h.src.in <- Event{Kind: KindStatus, State: panel.StateRunning} // after a reconnect
		h.src.in <- Event{Kind: KindStats, Stats: &panel.Resources{State: panel.StateRunning, Live: true, MemoryBytes: 42}}
		h.src.in <- Event{Kind: KindNotice, Text: "Reconnected to the node;\nsome lines may be missing"}
		synctest.Wait()
		res, _, ok := h.relay.Latest()
		require.True(t, ok)
		assert.Equal(t, int64(42), res.MemoryBytes)
		h.src.in <- Event{Kind: KindStatus, State: panel.StateOffline}
		synctest.Wait()
		res, _, _ = h.relay.Latest()
		assert.Equal(t, panel.StateOffline, res.State)
		var contents []string
		for _, c := range rec.all() {
			contents = append(contents, c.content)
			assert.Zero(t, c.flags, "notices notify")
		}
		assert.Equal(t, []string{"🟢 Server is running", "Reconnected to the node; some lines may be missing", "🔴 Server is offline"}, contents)
		h.stop()
	})
}

func TestStopDrainsWhatIsLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{gate: make(chan struct{})}
		h := newHarness(t, rec, nil)
		h.lines("one")
		synctest.Wait()
		h.lines("two", "three")
		synctest.Wait()
		h.cancel()
		<-h.done
		close(rec.gate)
		h.hub.Wait()
		calls := rec.all()
		require.Len(t, calls, 2)
		assert.Equal(t, "```\ntwo\nthree\n```", calls[1].content)
	})
}

func TestDrainIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{gate: make(chan struct{})}
		var logs strings.Builder // written by the sender only, read after Wait
		h := newHarness(t, rec, []Option{WithPostTimeout(time.Hour), WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))})
		h.lines("stuck")
		synctest.Wait()
		h.lines("left")
		synctest.Wait()
		h.cancel()
		<-h.done
		synctest.Wait()
		h.clock.Advance(DefaultDrainTimeout)
		h.hub.Wait()
		st := h.hub.Stats(testChannel)
		assert.Equal(t, 1, st.Unconfirmed, "the post in flight was cut")
		assert.Equal(t, 1, st.Dropped, "what was left is counted")
		assert.Zero(t, st.Pending)
		assert.Contains(t, logs.String(), "lines_unposted=1 dropped_untold=0 unconfirmed_untold=1", "the operator is told what the channel was not")
	})
}

func TestRelaysShareAChannelSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{gate: make(chan struct{})}
		hub, err := NewHub(rec, WithClock(newTestClock()), WithLinger(0))
		require.NoError(t, err)
		srcA, srcB := newChanSource(), newChanSource()
		ra, err := hub.NewRelay(testChannel, srcA, WithLabel("mc"))
		require.NoError(t, err)
		rb, err := hub.NewRelay(testChannel, srcB, WithLabel("rust"))
		require.NoError(t, err)
		ctxA, stopA := context.WithCancel(context.Background())
		ctxB, stopB := context.WithCancel(context.Background())
		doneA, doneB := make(chan error, 1), make(chan error, 1)
		go func() { doneA <- ra.Run(ctxA) }()
		go func() { doneB <- rb.Run(ctxB) }()
		srcA.in <- lineEv("warmup")
		synctest.Wait()
		srcA.in <- lineEv("from a")
		srcB.in <- lineEv("from b")
		synctest.Wait()
		hub.mu.Lock()
		assert.Len(t, hub.senders, 1)
		hub.mu.Unlock()
		stopA()
		<-doneA
		hub.mu.Lock()
		assert.Len(t, hub.senders, 1, "still used by b")
		hub.mu.Unlock()
		close(rec.gate)
		synctest.Wait()
		calls := rec.all()
		require.Len(t, calls, 2)
		_, code := blocks(t, calls[1].content)
		assert.ElementsMatch(t, []string{"[mc] from a", "[rust] from b"}, code)
		stopB()
		<-doneB
		hub.Wait()
	})
}

func TestRunReturnsSourceErrorAfterBufferedEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		h := newHarness(t, rec, nil)
		h.src.err = errors.New("server is suspended")
		h.src.in <- Event{Kind: KindNotice, Text: "The server is suspended; the console relay stopped."}
		h.lines("last words")
		close(h.src.in)
		err := <-h.done
		assert.EqualError(t, err, "server is suspended")
		h.hub.Wait()
		var all strings.Builder
		for _, c := range rec.all() {
			all.WriteString(c.content)
		}
		assert.Contains(t, all.String(), "The server is suspended")
		assert.Contains(t, all.String(), "last words")
	})
}

func TestOptionsAreValidated(t *testing.T) {
	rec := &recorder{}
	_, err := NewHub(nil)
	assert.ErrorContains(t, err, "no Discord session")
	for _, o := range []Option{
		WithMemoryCap(10, 0), WithMemoryCap(1<<20, 3), WithFoldAfter(0), WithLinger(-1),
		WithMaxAttachment(11 << 20), WithPostTimeout(0), WithClock(nil), WithLogger(nil),
	} {
		_, err := NewHub(rec, o)
		assert.Error(t, err)
	}
	hub, err := NewHub(rec)
	require.NoError(t, err)
	_, err = hub.NewRelay("general", newChanSource())
	assert.ErrorContains(t, err, "numeric Discord ID")
	_, err = hub.NewRelay(testChannel, nil)
	assert.ErrorContains(t, err, "no console source")
	_, err = hub.NewRelay(testChannel, newChanSource(), WithCommands(&fakeCommander{}, nil))
	assert.ErrorContains(t, err, "authorizer")
}

// A label is a server name from the panel: a long or odd one is made safe
// and short, never a reason for the relay not to start.
func TestLabelFromAServerNameIsMadeSafe(t *testing.T) {
	hub, err := NewHub(&recorder{})
	require.NoError(t, err)
	r, err := hub.NewRelay(testChannel, newChanSource(), WithLabel("My \x1b[1mSurvival\x1b[0m\nserver ``"+strings.Repeat("x", 40)))
	require.NoError(t, err)
	assert.Equal(t, width(r.label), maxLabel)
	assert.Equal(t, "My Survival server `"+zwsp+"`xxxxxxxxx…", r.label)
	r, err = hub.NewRelay(testChannel, newChanSource(), WithLabel("mc"))
	require.NoError(t, err)
	assert.Equal(t, "[mc] hello", r.labelled("hello"))
}

func TestTailKeepsTheLastRelayedLinesRaw(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, &recorder{}, nil)
		for i := range TailLines + 10 {
			h.src.in <- Event{Kind: KindLine, Text: fmt.Sprintf("\x1b[31mline %d", i)}
		}
		synctest.Wait()
		tail := h.relay.Tail(TailLines + 50)
		require.Len(t, tail, TailLines)
		assert.Equal(t, "\x1b[31mline 10", tail[0], "as the node sent it, oldest first")
		assert.Equal(t, fmt.Sprintf("\x1b[31mline %d", TailLines+9), tail[len(tail)-1])
		assert.Len(t, h.relay.Tail(30), 30)
		h.stop()
	})
}
