package shardlyn

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feed delivers lines through a dedupe as the source would.
func feed(d *dedupe, lines ...string) []string {
	var out []string
	for _, l := range lines {
		out = append(out, d.push(l)...)
	}
	return out
}

func TestDedupeDropsAReplayedTail(t *testing.T) {
	for _, tc := range []struct {
		name          string
		seen, arrived []string
		want          []string
	}{
		{"no replay", []string{"a", "b"}, []string{"c", "d"}, []string{"c", "d"}},
		{"replay of the last line", []string{"a", "b"}, []string{"b", "c"}, []string{"c"}},
		{"replay of all", []string{"a", "b", "c"}, []string{"a", "b", "c", "d"}, []string{"d"}},
		{"repeated pattern prefers the longest replay", []string{"a", "b", "a", "b"}, []string{"a", "b", "a", "b", "c"}, []string{"c"}},
		{"short replay in a repeated pattern", []string{"a", "b", "a", "b"}, []string{"a", "b", "c"}, []string{"c"}},
		{"a false start is released", []string{"x", "y", "z"}, []string{"y", "q"}, []string{"y", "q"}},
		{"a match that does not reach the end is new", []string{"a", "b", "c"}, []string{"a", "b", "d"}, []string{"a", "b", "d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDedupe(10)
			require.Equal(t, tc.seen, feed(d, tc.seen...))
			d.reconnected()
			assert.Equal(t, tc.want, feed(d, tc.arrived...))
		})
	}
}

func TestDedupeFlushAndAbandon(t *testing.T) {
	d := newDedupe(10)
	feed(d, "a", "b", "c")
	d.reconnected()
	assert.Empty(t, feed(d, "a", "b"), "held: could be a replay")
	assert.True(t, d.holding())
	assert.Equal(t, []string{"a", "b"}, d.flush(), "nothing followed: they were new")
	assert.False(t, d.holding())
	d.reconnected()
	assert.Empty(t, feed(d, "b"))
	d.abandon()
	assert.Equal(t, []string{"z"}, feed(d, "z"), "after abandoning, lines flow")
}

func TestDedupeTailIsBounded(t *testing.T) {
	d := newDedupe(3)
	feed(d, "1", "2", "3", "4", "5")
	d.reconnected()
	assert.Equal(t, []string{"6"}, feed(d, "3", "4", "5", "6"))
	assert.Equal(t, 3, d.n)
}

// FuzzDedupe replays a random history: whatever the lines, what is
// released after a reconnect is never a line already delivered, and when
// the new lines do not repeat old ones, none is lost.
func FuzzDedupe(f *testing.F) {
	f.Add("abcabc", uint8(3), uint8(2), uint8(4))
	f.Add("aaaa", uint8(2), uint8(2), uint8(3))
	f.Add("abcdefgh", uint8(5), uint8(1), uint8(8))
	f.Fuzz(func(t *testing.T, alphabet string, deliveredN, newN, replayN uint8) {
		history := strings.Split(alphabet, "")
		delivered := int(deliveredN) % (len(history) + 1)
		if delivered == 0 || delivered > len(history) {
			return
		}
		fresh := min(int(newN), len(history)-delivered)
		tail := 8
		replay := min(int(replayN), delivered, tail) // a replay within what the tail remembers
		if replay == 0 {
			return
		}
		d := newDedupe(tail)
		require.Equal(t, history[:delivered], feed(d, history[:delivered]...))
		d.reconnected()
		got := feed(d, history[delivered-replay:delivered+fresh]...)
		got = append(got, d.flush()...)
		newLines := history[delivered : delivered+fresh]
		require.LessOrEqual(t, len(got), len(newLines))
		assert.True(t, slices.Equal(newLines[len(newLines)-len(got):], got), "only a suffix of the new lines: %q of %q", got, newLines)
		remembered := history[max(0, delivered-tail):delivered]
		if !slices.ContainsFunc(newLines, func(l string) bool { return slices.Contains(remembered, l) }) {
			assert.True(t, slices.Equal(newLines, got), "nothing lost when unambiguous: %q of %q", got, newLines)
		}
	})
}

func TestFrameLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		mt   int
		data string
		want []string
	}{
		{"one line", websocket.TextMessage, "[12:00] Done (3.2s)!", []string{"[12:00] Done (3.2s)!"}},
		{"trailing newline", websocket.TextMessage, "hello\r\n", []string{"hello"}},
		{"batched lines", websocket.TextMessage, "a\nb\r\nc\n", []string{"a", "b", "c"}},
		{"binary", websocket.BinaryMessage, "bytes", []string{"bytes"}},
		{"empty", websocket.TextMessage, "", nil},
		{"only newline", websocket.TextMessage, "\n", nil},
		{"ansi kept for the sink", websocket.TextMessage, "\x1b[32mok\x1b[0m", []string{"\x1b[32mok\x1b[0m"}},
		{"control frame", websocket.PingMessage, "x", nil},
	} {
		assert.Equal(t, tc.want, frameLines(tc.mt, []byte(tc.data)), tc.name)
	}
	in := "x" + strings.Repeat("é", maxLine) // 8193 bytes: the cuts fall inside runes
	long := frameLines(websocket.TextMessage, []byte(in))
	require.Len(t, long, 3)
	for _, l := range long {
		assert.LessOrEqual(t, len(l), maxLine)
		assert.True(t, utf8.ValidString(l))
	}
	assert.Equal(t, in, strings.Join(long, ""), "a runaway line is split, not cut short")
}

func FuzzFrameLines(f *testing.F) {
	f.Add([]byte("line"), true)
	f.Add([]byte("a\r\nb\n\n"), false)
	f.Add([]byte{0xff, 0xfe, '\n'}, true)
	f.Fuzz(func(t *testing.T, data []byte, text bool) {
		mt := websocket.BinaryMessage
		if text {
			mt = websocket.TextMessage
		}
		for _, l := range frameLines(mt, data) {
			assert.LessOrEqual(t, len(l), maxLine)
			assert.True(t, utf8.ValidString(l))
			assert.NotContains(t, l, "\n")
		}
	})
}

func TestQueueDropsOldestAndCounts(t *testing.T) {
	q := newLineQueue(3)
	for _, l := range []string{"1", "2", "3", "4", "5"} {
		q.push(l)
	}
	lines, dropped := q.take()
	assert.Equal(t, []string{"3", "4", "5"}, lines)
	assert.Equal(t, 2, dropped)
	lines, dropped = q.take()
	assert.Empty(t, lines)
	assert.Zero(t, dropped)
}

func TestDeliverAnnouncesDroppedLines(t *testing.T) {
	s, err := New(fakeSocketer{}, "i-1")
	require.NoError(t, err)
	c := &conn{queue: newLineQueue(2)}
	for _, l := range []string{"1", "2", "3", "4", "5"} {
		c.queue.push(l)
	}
	events := make(chanSink, 10)
	require.NoError(t, s.deliver(context.Background(), events, c, &streamState{dedupe: newDedupe(5)}))
	close(events)
	var got []string
	for ev := range events {
		got = append(got, ev.Text)
	}
	assert.Equal(t, []string{"Skipped 3 console lines because the channel could not keep up.", "4", "5"}, got)
}

func TestBackoffIsCappedWithJitter(t *testing.T) {
	b := Backoff(100e6, 1e9)
	for attempt := range 40 {
		d := b(attempt)
		want := min(int64(1e9), int64(100e6)<<min(attempt, 20))
		assert.GreaterOrEqual(t, int64(d), want/2, attempt)
		assert.LessOrEqual(t, int64(d), want, attempt)
	}
}

// At shutdown the relay still reads until Stream returns: lines the reader
// had queued are handed over, not abandoned at random.
func TestPumpHandsOverQueuedLinesAtShutdown(t *testing.T) {
	s, err := New(fakeSocketer{}, "i-1")
	require.NoError(t, err)
	c := &conn{queue: newLineQueue(64)}
	for i := range 40 {
		c.queue.push(itoa(i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	events := make(chanSink, 64)
	o := s.pump(ctx, events, c, &streamState{dedupe: newDedupe(5)})
	require.ErrorIs(t, o.err, context.Canceled)
	close(events)
	var got []string
	for ev := range events {
		got = append(got, ev.Text)
	}
	require.Len(t, got, 40)
	assert.Equal(t, "0", got[0])
	assert.Equal(t, "39", got[39])
}
