package wings

import "time"

// Backlog deduplication.
//
// Every (re)authentication that may have missed lines asks the node to
// replay its recent lines (`send logs`, the last N = 150). That replay B
// overlaps what was already relayed, and nothing marks where it starts or
// ends: its lines are plain `console output` events, like live ones, and
// console lines are not unique ("Saving chunks..." repeats). The aligner
// therefore keeps the tail T of the lines already taken in (the last N), and
// from the moment a replay is due it holds incoming lines back and looks for
// the longest overlap k: the largest k for which the last k lines of T equal
// the first k lines of B. Those k lines are duplicates; the rest of B, and
// everything after it, is new.
//
// Between the node's `auth success` and its handling of our `send logs`, a
// few live lines L can slip in ahead of B. They are also the last lines of B
// (the node logged them before it took the snapshot), so B may start up to
// `slack` lines into the held stream; those first lines are dropped there and
// relayed where B repeats them, in order. With an overlap, where B starts
// follows from it (longest overlap first, then earliest start). Without one
// (the first connection, more than N lines missed, a log reset by a
// restart), B is found by that repetition instead: a full replay is exactly
// N lines long, so L is B's last lines at position N; a shorter replay ends
// where the stream pauses.
//
// Holds are decided by content as soon as no undecided alignment could
// still beat the best complete one: for a replay that overlaps, once it has
// been read; without overlap, after N+slack lines. When the stream pauses
// (a short replay, a quiet server), settle decides with what has arrived,
// but not before a line of the replay has been recognised when there is a
// tail to recognise it by (a slow node must not make a whole replay look
// new). If no overlap exists, everything after L is relayed and the verdict
// reports a possible gap so that the channel is told lines may be missing.
// A run of identical lines at the seam is ambiguous by nature; the longest
// overlap counts them as duplicates.
type aligner struct {
	window int // N: the most lines the node replays
	slack  int // the most live lines that may precede the replay
	tail   []string
	h      *hold
}

// heldLine is a console line with the time it was read.
type heldLine struct {
	text string
	at   time.Time
}

// hold is the state of one replay being aligned. alive[p][k] says whether
// "the replay starts at held line p and its first k lines are T's last k"
// is still consistent with what has been read.
type hold struct {
	lines   []heldLine
	maxK    int
	alive   [][]bool
	matched bool // some held line started an alignment with the tail
}

// mode says how much of the replay a decision may assume has arrived.
type mode int

const (
	byContent mode = iota // more lines may come
	atPause               // the stream paused: the replay has probably ended
	final                 // the hold must end now
)

// verdict is the outcome of a hold: the lines to relay, and whether the
// replay failed to connect with what was relayed before.
type verdict struct {
	emit    []heldLine
	skipped int // live lines that the replay repeated
	overlap int // replayed lines already relayed
	gap     bool
}

func newAligner(window, slack int) *aligner {
	return &aligner{window: window, slack: slack}
}

func (a *aligner) holding() bool { return a.h != nil }

// startHold begins holding lines for a replay.
func (a *aligner) startHold() {
	maxK := min(len(a.tail), a.window)
	alive := make([][]bool, a.slack+1)
	for p := range alive {
		alive[p] = make([]bool, maxK+1)
		for k := range alive[p] {
			alive[p][k] = true
		}
	}
	a.h = &hold{maxK: maxK, alive: alive}
}

// feed takes one line. Outside a hold it is relayed at once; inside, it is
// held, and the verdict is returned once the hold is decided.
func (a *aligner) feed(l heldLine) ([]heldLine, *verdict) {
	if a.h == nil {
		a.remember(l.text)
		return []heldLine{l}, nil
	}
	h := a.h
	i := len(h.lines)
	h.lines = append(h.lines, l)
	for p := 0; p <= min(i, a.slack); p++ {
		idx := i - p // position of this line inside a replay starting at p
		for k := idx + 1; k <= h.maxK; k++ {
			if h.alive[p][k] && a.tail[len(a.tail)-k+idx] != l.text {
				h.alive[p][k] = false
			}
			h.matched = h.matched || idx == 0 && h.alive[p][k]
		}
	}
	return nil, a.decide(byContent)
}

// settle decides a hold when the stream has paused (or, with final, must
// end). It returns nil while the hold goes on.
func (a *aligner) settle(end bool) *verdict {
	if a.h == nil {
		return nil
	}
	if end {
		return a.decide(final)
	}
	return a.decide(atPause)
}

// decide concludes the hold if no alignment still open could beat the best
// complete one (alignments not started yet count only byContent).
func (a *aligner) decide(m mode) *verdict {
	h := a.h
	n := len(h.lines)
	bp, bk := a.best(n)
	if m != final && (a.open(n, bp, bk, m == byContent) || m == atPause && h.maxK > 0 && !h.matched) {
		return nil
	}
	if bk > 0 {
		return a.conclude(bp, bk)
	}
	if m == byContent && n < a.window+a.slack {
		return nil // every full-replay hypothesis must be checkable
	}
	return a.conclude(a.echo(m != byContent), 0)
}

// open reports whether an alignment not yet complete could still beat
// (bp, bk).
func (a *aligner) open(n, bp, bk int, unstarted bool) bool {
	for p := 0; p <= a.slack; p++ {
		for k := 1; k <= a.h.maxK; k++ {
			open := a.h.alive[p][k] && p+k > n && (unstarted || p < n)
			if open && (k > bk || k == bk && p < bp) {
				return true
			}
		}
	}
	return false
}

// echo finds, without an overlap, how many held lines came ahead of the
// replay: the most p whose lines the replay repeats at its end. A full
// replay ends N lines after its start; a shorter one where the stream
// paused, which only atEnd may assume.
func (a *aligner) echo(atEnd bool) int {
	n := len(a.h.lines)
	for p := a.slack; p >= 1; p-- {
		if a.repeats(p, a.window+p) || atEnd && a.repeats(p, n) {
			return p
		}
	}
	return 0
}

// repeats reports whether the first p held lines are repeated as the p
// lines ending at end (and come after at least p others).
func (a *aligner) repeats(p, end int) bool {
	s := a.h.lines
	if end > len(s) || end-p < p {
		return false
	}
	for i := range p {
		if s[end-p+i].text != s[i].text {
			return false
		}
	}
	return true
}

// best is the complete alignment with the longest overlap, then the
// earliest start. (0, 0), "no overlap", is always complete.
func (a *aligner) best(n int) (p, k int) {
	for k := a.h.maxK; k > 0; k-- {
		for p := 0; p <= a.slack && p+k <= n; p++ {
			if a.h.alive[p][k] {
				return p, k
			}
		}
	}
	return 0, 0
}

func (a *aligner) conclude(p, k int) *verdict {
	h := a.h
	a.h = nil
	v := &verdict{emit: h.lines[p+k:], skipped: p, overlap: k, gap: k == 0 && h.maxK > 0 && len(h.lines) > p}
	for _, l := range v.emit {
		a.remember(l.text)
	}
	return v
}

// abandon ends a hold because the connection ended. A replay cut off while
// it was matching the tail is dropped whole, tail unchanged: its lines are
// duplicates or lines that came ahead of it, and the next connection's
// replay brings them again. Otherwise the hold is decided as it stands.
func (a *aligner) abandon() *verdict {
	if a.h == nil {
		return nil
	}
	n := len(a.h.lines)
	_, bk := a.best(n)
	if a.open(n, 0, bk, false) {
		a.h = nil
		return nil
	}
	return a.decide(final)
}

// cancel ends a hold whose replay will not come: every held line is live
// and is relayed.
func (a *aligner) cancel() []heldLine {
	if a.h == nil {
		return nil
	}
	lines := a.h.lines
	a.h = nil
	for _, l := range lines {
		a.remember(l.text)
	}
	return lines
}

// remember appends to the tail, keeping the last window lines.
func (a *aligner) remember(text string) {
	a.tail = append(a.tail, text)
	if len(a.tail) > 2*a.window {
		a.tail = append([]string(nil), a.tail[len(a.tail)-a.window:]...)
	}
}
