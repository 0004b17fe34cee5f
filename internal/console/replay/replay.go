// Package replay tells replayed console lines from new ones.
//
// After a connection is lost, a console source asks the node for its recent
// lines (Wings' `send logs`, Shardlyn's log history) so that what was said
// during the gap is not lost. That replay B is a window of the node's log:
// it begins inside what was already relayed (the tail T), goes on with the
// lines missed during the gap, and ends with the newest lines. Nothing marks
// it: its lines are ordinary console lines, and on Wings they are written
// from their own goroutine, so live lines L arriving at the same time
// interleave with them. The live lines that came in before the node took
// its snapshot are therefore seen twice: once live, once at B's end.
//
// The Aligner holds the lines that arrive while a replay is expected and,
// when the hold ends, keeps them in log order and drops the copies:
//
//  1. overlap: the longest suffix of T that the held lines repeat in order,
//     allowing a few live lines in between, is a replay of lines already
//     relayed: dropped;
//  2. echo: a line among the first few held ones that comes again later in
//     the hold was a live line the replay repeats: the early copy is
//     dropped and the line is relayed where the replay puts it, after the
//     missed lines that are older than it;
//  3. everything else is new, relayed in arrival order.
//
// If T is not empty and no overlap is found, the replay did not reach back
// to what was relayed (more lines were missed than the node replays, or its
// log was reset by a restart): the hold reports a gap, so the channel can
// be told lines may be missing. Lines are compared by text, so a line
// repeated at the seam (a server printing the same line every second) is
// ambiguous by nature; the rules prefer dropping a copy to posting it twice.
//
// A hold ends when its source says so (a deadline of about a second, the
// connection closing, the replay refused) or early, once the whole replay
// and a margin of live lines are in.
package replay

// Slack is how many live lines may arrive inside or ahead of a replay and
// still be recognised: a node's answer to `send logs` takes a round trip,
// during which a busy server keeps writing.
const Slack = 16

// Aligner is the state of one console's replays. It is not safe for
// concurrent use: the goroutine that owns the connection drives it.
type Aligner struct {
	window  int      // N: the most lines a replay holds
	tail    []string // the last ≤ window lines relayed, oldest first
	held    []string
	holding bool
}

// New returns an aligner for replays of at most window lines (Wings'
// websocket_log_count, 150 by default).
func New(window int) *Aligner {
	return &Aligner{window: max(window, 1)}
}

// Seed sets the tail, e.g. from lines kept across a restart.
func (a *Aligner) Seed(lines []string) {
	a.tail = a.tail[:0]
	for _, l := range lines {
		a.remember(l)
	}
}

// Tail returns a copy of the last lines relayed, oldest first.
func (a *Aligner) Tail() []string { return append([]string(nil), a.tail...) }

// HasTail reports whether anything was relayed: only then can a replay
// overlap, and only then is one worth asking for.
func (a *Aligner) HasTail() bool { return len(a.tail) > 0 }

// Holding reports whether lines are being held for a replay.
func (a *Aligner) Holding() bool { return a.holding }

// Expect starts holding lines: a replay has been asked for. A hold already
// running is decided first.
func (a *Aligner) Expect(emit func(string)) (gap bool) {
	if a.holding {
		gap = a.Decide(emit)
	}
	a.holding, a.held = true, a.held[:0]
	return gap
}

// Add takes one console line. Outside a hold it is relayed at once;
// inside, it is held, and the hold ends early once the whole replay and a
// margin of live lines are in.
func (a *Aligner) Add(line string, emit func(string)) (decided, gap bool) {
	if !a.holding {
		a.remember(line)
		emit(line)
		return false, false
	}
	a.held = append(a.held, line)
	if len(a.held) < a.window+2*Slack {
		return false, false
	}
	return true, a.Decide(emit)
}

// Decide ends the hold, relays the new lines in log order and reports
// whether the replay failed to reach back to the tail.
func (a *Aligner) Decide(emit func(string)) (gap bool) {
	if !a.holding {
		return false
	}
	held, hadTail := a.held, len(a.tail) > 0
	a.holding, a.held = false, nil
	drop := make([]bool, len(held))
	k := a.overlap(held, drop, true)
	a.echo(held, drop)
	for i, l := range held {
		if !drop[i] {
			a.remember(l)
			emit(l)
		}
	}
	// Lines came but none of them reached back to the tail. (An offline
	// server replays nothing and writes nothing: no hold, no gap.)
	return k == 0 && hadTail && len(held) > 0
}

// Abandon ends a hold because the connection ended. If the held lines are
// all the start of a replay of the tail, they are dropped: they were
// relayed already, and the next replay brings whatever followed them.
// Otherwise the hold is decided as it stands.
func (a *Aligner) Abandon(emit func(string)) (gap bool) {
	if !a.holding {
		return false
	}
	drop := make([]bool, len(a.held))
	if len(a.held) > 0 && a.overlap(a.held, drop, false) > 0 && allTrue(drop) {
		a.holding, a.held = false, nil
		return false
	}
	return a.Decide(emit)
}

// Cancel ends a hold whose replay will not come (the node refused it):
// every held line is live and is relayed as it came.
func (a *Aligner) Cancel(emit func(string)) {
	held := a.held
	a.holding, a.held = false, nil
	for _, l := range held {
		a.remember(l)
		emit(l)
	}
}

// remember appends to the tail, keeping its last window lines.
func (a *Aligner) remember(line string) {
	a.tail = append(a.tail, line)
	if len(a.tail) > 2*a.window {
		a.tail = append(a.tail[:0:0], a.tail[len(a.tail)-a.window:]...)
	}
}

func allTrue(b []bool) bool {
	for _, v := range b {
		if !v {
			return false
		}
	}
	return true
}
