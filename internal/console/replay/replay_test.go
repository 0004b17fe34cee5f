package replay

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logLines is a node's log: numbered, distinct lines.
func logLines(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("line %05d", i))
	}
	return out
}

type collector []string

func (c *collector) emit(l string) { *c = append(*c, l) }

func TestOutsideAHoldLinesPassThrough(t *testing.T) {
	a := New(150)
	var got collector
	for _, l := range logLines(0, 5) {
		a.Add(l, got.emit)
	}
	assert.Equal(t, logLines(0, 5), []string(got))
	assert.Equal(t, logLines(0, 5), a.Tail())
}

// scenario: lines [0,relayed) were relayed, the connection dropped, lines up
// to auth were missed, the node snapshots its log at snap (the last window
// lines before it form the replay), and live lines run from auth to end.
type scenario struct {
	window, relayed, auth, snap, end int
	// liveFirst is how many live lines arrive before the replay starts; the
	// rest of those older than snap interleave at random into its first part.
	liveFirst int
}

func (s scenario) run(t *testing.T, rng *rand.Rand) (got []string, gap bool) {
	a := New(s.window)
	var out collector
	for _, l := range logLines(0, s.relayed) {
		a.Add(l, out.emit)
	}
	out = nil
	a.Expect(out.emit)
	replayed := logLines(max(0, s.snap-s.window), s.snap)
	live := logLines(s.auth, s.end)
	for _, l := range interleave(rng, replayed, live, s.liveFirst, s.snap-s.auth) {
		if decided, g := a.Add(l, out.emit); decided {
			gap = gap || g
		}
	}
	gap = a.Decide(out.emit) || gap
	return out, gap
}

// interleave merges a replay into the live stream the way Wings does: some
// live lines first, the live lines older than the snapshot racing the
// replay's first lines, newer ones after it.
func interleave(rng *rand.Rand, replayed, live []string, first, older int) []string {
	out := append([]string(nil), live[:min(first, len(live))]...)
	live = live[min(first, len(live)):]
	racing := max(0, min(older-first, len(live)))
	for _, r := range replayed {
		if racing > 0 && rng.IntN(2) == 0 {
			out = append(out, live[0])
			live, racing = live[1:], racing-1
		}
		out = append(out, r)
	}
	return append(out, live...)
}

func TestReplaysAreAlignedInLogOrder(t *testing.T) {
	for name, s := range map[string]scenario{
		"short drop, replay first":     {window: 150, relayed: 400, auth: 430, snap: 430, end: 470},
		"live lines before the replay": {window: 150, relayed: 400, auth: 430, snap: 433, end: 470, liveFirst: 3},
		"live lines racing the replay": {window: 150, relayed: 400, auth: 430, snap: 436, end: 470, liveFirst: 1},
		"nothing missed":               {window: 150, relayed: 400, auth: 400, snap: 402, end: 440, liveFirst: 2},
		"young server, short log":      {window: 150, relayed: 20, auth: 30, snap: 31, end: 60, liveFirst: 1},
		"all of the replay is new":     {window: 150, relayed: 1, auth: 100, snap: 100, end: 120},
		"a small window":               {window: 10, relayed: 100, auth: 104, snap: 106, end: 130, liveFirst: 2},
	} {
		t.Run(name, func(t *testing.T) {
			for seed := range uint64(50) {
				got, gap := s.run(t, rand.New(rand.NewPCG(seed, 1)))
				require.Equal(t, logLines(s.relayed, s.end), got, "seed %d", seed)
				require.False(t, gap, "seed %d: a replay that reaches the tail is no gap", seed)
			}
		})
	}
}

func TestAReplayThatDoesNotReachTheTailIsAGap(t *testing.T) {
	s := scenario{window: 150, relayed: 400, auth: 700, snap: 702, end: 720, liveFirst: 2}
	got, gap := s.run(t, rand.New(rand.NewPCG(1, 1)))
	assert.True(t, gap)
	assert.Equal(t, logLines(552, 720), got, "what the replay had is relayed once, in order")
}

func TestNeverADuplicateWhateverTheInterleaving(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 300 {
		relayed := 10 + rng.IntN(300)
		auth := relayed + rng.IntN(200)
		snap := auth + rng.IntN(8)
		s := scenario{window: 150, relayed: relayed, auth: auth, snap: snap, end: snap + rng.IntN(60),
			liveFirst: rng.IntN(snap - auth + 1)}
		got, _ := s.run(t, rng)
		seen := map[string]bool{}
		for _, l := range got {
			require.False(t, seen[l], "%+v: %q relayed twice", s, l)
			seen[l] = true
		}
		for _, l := range logLines(max(relayed, snap-150), s.end) {
			require.True(t, seen[l], "%+v: %q lost", s, l)
		}
	}
}

func TestAnOfflineServerReplaysNothingAndIsNoGap(t *testing.T) {
	a := New(150)
	var out collector
	for _, l := range logLines(0, 10) {
		a.Add(l, out.emit)
	}
	a.Expect(out.emit)
	assert.False(t, a.Decide(out.emit))
}

func TestAbandonDropsACutOffReplayOfTheTail(t *testing.T) {
	a := New(150)
	var out collector
	for _, l := range logLines(0, 100) {
		a.Add(l, out.emit)
	}
	out = nil
	a.Expect(out.emit)
	for _, l := range logLines(0, 30) { // the replay starts at line 0 and is cut off
		a.Add(l, out.emit)
	}
	assert.False(t, a.Abandon(out.emit))
	assert.Empty(t, out)
	assert.Equal(t, logLines(50, 100), a.Tail()[len(a.Tail())-50:], "the tail is unchanged")
}

func TestCancelRelaysWhatWasHeld(t *testing.T) {
	a := New(150)
	var out collector
	a.Add("old", out.emit)
	a.Expect(out.emit)
	a.Add("new 1", out.emit)
	a.Add("new 2", out.emit)
	a.Cancel(out.emit)
	assert.Equal(t, []string{"old", "new 1", "new 2"}, []string(out))
	assert.False(t, a.Holding())
}

func TestSeedLetsARestartReplayOnlyWhatIsNew(t *testing.T) {
	a := New(150)
	a.Seed(logLines(0, 200))
	assert.Len(t, a.Tail(), 200)
	var out collector
	a.Expect(out.emit)
	for _, l := range logLines(60, 210) {
		a.Add(l, out.emit)
	}
	assert.False(t, a.Decide(out.emit))
	assert.Equal(t, logLines(200, 210), []string(out))
}

func TestTheHoldEndsEarlyOnceTheWholeReplayIsIn(t *testing.T) {
	a := New(20)
	var out collector
	for _, l := range logLines(0, 20) {
		a.Add(l, out.emit)
	}
	out = nil
	a.Expect(out.emit)
	decided := false
	for _, l := range logLines(10, 10+20+2*Slack) {
		d, _ := a.Add(l, out.emit)
		decided = decided || d
	}
	assert.True(t, decided)
	assert.False(t, a.Holding())
	assert.Equal(t, logLines(20, 10+20+2*Slack), []string(out))
}

func FuzzAligner(f *testing.F) {
	f.Add([]byte{1, 2, 3, 1, 2, 3, 4}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		a := New(8)
		var out collector
		cut := int(split) % (len(data) + 1)
		for _, b := range data[:cut] {
			a.Add(fmt.Sprint(b%5), out.emit)
		}
		a.Expect(out.emit)
		for _, b := range data[cut:] {
			a.Add(fmt.Sprint(b%5), out.emit)
		}
		a.Decide(out.emit)
		if len(out) > len(data) {
			t.Fatalf("%d lines out of %d in", len(out), len(data))
		}
	})
}
