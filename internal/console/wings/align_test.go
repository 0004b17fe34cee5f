package wings

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func numbered(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

// replay feeds lines to a (primed) aligner after starting a hold, then
// settles for good, and returns what was relayed and the verdict.
func replay(a *aligner, stream []string) (out []string, gap bool) {
	a.startHold()
	collect := func(ls []heldLine, v *verdict) {
		if v != nil {
			ls = append(ls, v.emit...)
			gap = gap || v.gap
		}
		for _, l := range ls {
			out = append(out, l.text)
		}
	}
	for _, s := range stream {
		collect(a.feed(heldLine{text: s}))
	}
	collect(nil, a.settle(true))
	return out, gap
}

func primed(window int, seen []string) *aligner {
	a := newAligner(window, slack)
	for _, s := range seen {
		a.feed(heldLine{text: s})
	}
	return a
}

func TestAlignerPassesLinesThroughOutsideAHold(t *testing.T) {
	a := newAligner(150, slack)
	out, v := a.feed(heldLine{text: "x"})
	assert.Nil(t, v)
	assert.Equal(t, "x", out[0].text)
	a.startHold()
	assert.True(t, a.holding())
}

func TestAlignerDedupe(t *testing.T) {
	seen := numbered("L", 0, 200)
	cases := []struct {
		name    string
		window  int
		seen    []string
		stream  []string
		want    []string
		gap     bool
		decided int // lines after which feed alone decides (0: only settle)
	}{
		{name: "replay of what was seen", window: 150, seen: seen, stream: seen[50:], want: nil, decided: 150},
		{name: "replay with new lines and live lines after",
			window: 150, seen: seen, stream: slices.Concat(numbered("L", 53, 203), numbered("L", 203, 206)),
			want: numbered("L", 200, 206), decided: 147},
		{name: "live lines slipped in ahead of the replay",
			window: 150, seen: seen, stream: slices.Concat(numbered("L", 200, 202), numbered("L", 52, 202), numbered("L", 202, 204)),
			want: numbered("L", 200, 204), decided: 150},
		{name: "more lines missed than the replay holds",
			window: 150, seen: seen, stream: numbered("L", 400, 550), want: numbered("L", 400, 550), gap: true},
		{name: "more lines missed, live lines ahead of the replay and after it",
			window: 150, seen: seen, stream: slices.Concat(numbered("L", 548, 550), numbered("L", 400, 550), numbered("L", 550, 570)),
			want: numbered("L", 400, 570), gap: true, decided: 150 + slack},
		{name: "first connection: nothing to align, lines pass after the replay",
			window: 150, seen: nil, stream: numbered("L", 0, 20), want: numbered("L", 0, 20)},
		{name: "first connection: live lines ahead of a short replay",
			window: 150, seen: nil, stream: slices.Concat([]string{"L5", "L6"}, numbered("L", 0, 7)), want: numbered("L", 0, 7)},
		{name: "first connection: live lines ahead of a full replay, then more",
			window: 150, seen: nil, stream: slices.Concat([]string{"L198", "L199"}, numbered("L", 50, 200), numbered("L", 200, 203)),
			want: numbered("L", 50, 203)},
		{name: "log reset by a restart, short replay",
			window: 150, seen: seen, stream: []string{"boot 1", "boot 2"}, want: []string{"boot 1", "boot 2"}, gap: true},
		{name: "short log: the whole tail is replayed, then new lines",
			window: 150, seen: numbered("L", 0, 5), stream: numbered("L", 0, 7), want: []string{"L5", "L6"}, decided: 5},
		{name: "repeated identical lines: only the new repetitions pass",
			window: 150, seen: []string{"a", "x", "x", "x"}, stream: []string{"a", "x", "x", "x", "x", "x"}, want: []string{"x", "x"}, decided: 4},
		{name: "all identical, log longer than seen",
			window: 150, seen: []string{"x", "x", "x"}, stream: []string{"x", "x", "x", "x"}, want: []string{"x"}, decided: 3},
		{name: "periodic content aligns on the longest overlap",
			window: 150, seen: []string{"a", "b", "a", "b", "a", "b"}, stream: []string{"a", "b", "a", "b", "a", "b", "c"},
			want: []string{"c"}, decided: 6},
		{name: "ambiguous seam: a full window of one line counts as seen",
			window: 5, seen: []string{"x", "x", "x", "x", "x"}, stream: []string{"x", "x", "x", "x", "x"}, want: nil, decided: 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, gap := replay(primed(c.window, c.seen), c.stream)
			assert.Equal(t, c.want, out)
			assert.Equal(t, c.gap, gap)

			a := primed(c.window, c.seen)
			a.startHold()
			decidedAt := 0
			for i, s := range c.stream {
				if _, v := a.feed(heldLine{text: s}); v != nil {
					decidedAt = i + 1
					break
				}
			}
			assert.Equal(t, c.decided, decidedAt, "lines read before the hold was decided by content")
		})
	}
}

func TestAlignerSettleWaitsForAReplayStillArriving(t *testing.T) {
	a := primed(150, numbered("L", 0, 200))
	a.startHold()
	for _, s := range numbered("L", 50, 100) { // half the replay so far
		_, v := a.feed(heldLine{text: s})
		require.Nil(t, v)
	}
	assert.Nil(t, a.settle(false), "a partly read alignment could still win")
	for _, s := range numbered("L", 100, 200) {
		a.feed(heldLine{text: s})
	}
	assert.False(t, a.holding())
}

func TestAlignerHoldIsBounded(t *testing.T) {
	a := primed(150, slices.Repeat([]string{"x"}, 150))
	a.startHold()
	decided := false
	for range 150 + slack {
		if _, v := a.feed(heldLine{text: "x"}); v != nil {
			decided = true
			break
		}
	}
	assert.True(t, decided, "a hold never outlasts window+slack lines")
}

func TestAlignerAbandonDropsACutOffReplay(t *testing.T) {
	a := primed(150, numbered("L", 0, 200))
	a.startHold()
	for _, l := range numbered("L", 50, 120) {
		a.feed(heldLine{text: l})
	}
	assert.Nil(t, a.abandon(), "a replay matching the tail is dropped whole")
	assert.False(t, a.holding())
	assert.Equal(t, "L199", a.tail[len(a.tail)-1])

	b := primed(150, numbered("L", 0, 200))
	b.startHold()
	b.feed(heldLine{text: "new"})
	v := b.abandon()
	require.NotNil(t, v, "nothing matched: the held lines are relayed")
	assert.Equal(t, "new", v.emit[0].text)
}

func TestAlignerCancelRelaysHeldLines(t *testing.T) {
	a := primed(150, []string{"a"})
	a.startHold()
	a.feed(heldLine{text: "b"})
	got := a.cancel()
	require.Len(t, got, 1)
	assert.Equal(t, "b", got[0].text)
	assert.False(t, a.holding())
	assert.Nil(t, a.cancel())
}

func TestAlignerTailIsBounded(t *testing.T) {
	a := newAligner(10, slack)
	for i := range 1000 {
		a.feed(heldLine{text: fmt.Sprint(i)})
	}
	assert.LessOrEqual(t, len(a.tail), 20)
	assert.Equal(t, "999", a.tail[len(a.tail)-1])
}

// FuzzAligner checks the dedupe against a model of the node: a log the
// client saw up to a, missed up to b, a replay of the last window lines at b
// (preceded by up to slack live lines that the replay repeats), then live
// lines. With distinct lines the output must be exactly the unseen lines;
// with a tiny alphabet (repeats everywhere) it must stay a suffix of the
// stream, bounded, without panicking.
func FuzzAligner(f *testing.F) {
	f.Add(uint8(200), uint8(3), uint8(0), uint8(5), uint8(150), false)
	f.Add(uint8(100), uint8(200), uint8(2), uint8(1), uint8(40), false)
	f.Add(uint8(10), uint8(2), uint8(1), uint8(0), uint8(8), true)
	f.Add(uint8(0), uint8(5), uint8(0), uint8(2), uint8(30), true)
	f.Fuzz(func(t *testing.T, seenN, missedN, earlyN, afterN, windowN uint8, repeats bool) {
		window := int(windowN)%200 + 1
		a, b := int(seenN), int(seenN)+int(missedN)
		// Live lines ahead of the replay are its last lines: never more than it holds.
		early := min(int(earlyN)%(slack+1), b-a, window)
		line := func(i int) string {
			if repeats {
				return fmt.Sprint("r", (i*7+i/3)%3)
			}
			return fmt.Sprint("L", i)
		}
		var log []string
		for i := range b + int(afterN) {
			log = append(log, line(i))
		}
		stream := slices.Concat(log[b-early:b], log[max(0, b-window):b], log[b:])
		out, gap := replay(primed(window, log[:a]), stream)
		require.True(t, len(out) <= len(stream))
		require.Equal(t, fmt.Sprint(stream[len(stream)-len(out):]), fmt.Sprint(out), "output is a suffix of the stream")
		if repeats {
			return
		}
		if a > 0 && max(0, b-window) < a {
			require.Equal(t, fmt.Sprint(log[a:]), fmt.Sprint(out))
			require.False(t, gap)
			return
		}
		want := stream                       // without overlap, lines ahead of the replay are found
		if b >= window || int(afterN) == 0 { // when its end is known
			want = stream[early:]
		}
		require.Equal(t, fmt.Sprint(want), fmt.Sprint(out))
		require.Equal(t, a > 0 && len(out) > 0, gap)
	})
}
