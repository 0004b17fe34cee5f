package wings

import (
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/console"
)

// Notices about lines.
const (
	noticeGap      = "The console reconnected, but some lines from while it was interrupted may be missing."
	noticeNoReplay = "Some console lines may be missing: the node would not replay its recent lines just now."
	// maxHold bounds how long lines are held for a replay, in real time.
	maxHold = 5 * time.Second
)

// lineSink feeds console lines through the aligner into the queue. The
// reader feeds it, and the control loop settles or cancels holds, so it
// keeps its own lock; pushing under that lock keeps lines in order.
type lineSink struct {
	q     *queue
	clock Clock

	mu    sync.Mutex
	al    *aligner
	since time.Time // real time the hold started
	last  time.Time // real time of the last line held
}

func newLineSink(q *queue, clock Clock, window int) *lineSink {
	return &lineSink{q: q, clock: clock, al: newAligner(window, slack)}
}

// line takes one `console output` line.
func (ls *lineSink) line(text string, at time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.al.holding() {
		ls.last = time.Now()
	}
	out, v := ls.al.feed(heldLine{text: text, at: at})
	ls.emit(out, v)
}

// startHold starts holding for a replay; a hold already running is decided
// first with what it has, as a new replay supersedes it.
func (ls *lineSink) startHold() {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.al.holding() {
		ls.emit(nil, ls.al.settle(true))
	}
	ls.since, ls.last = time.Now(), time.Now()
	ls.al.startHold()
}

// settle is called periodically during a hold: once no line has come for
// the settle time, the replay has probably ended; after maxHold the hold
// ends whatever happened. It reports whether the hold goes on.
func (ls *lineSink) settle(now time.Time, quiet time.Duration) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if !ls.al.holding() {
		return false
	}
	end := now.Sub(ls.since) >= maxHold
	if end || now.Sub(ls.last) >= quiet {
		ls.emit(nil, ls.al.settle(end))
	}
	return ls.al.holding()
}

// finish ends a hold because the connection ended.
func (ls *lineSink) finish() {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.emit(nil, ls.al.abandon())
}

// cancel ends a hold whose replay will not come, relaying what was held and
// telling the channel that lines may be missing.
func (ls *lineSink) cancel() {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if !ls.al.holding() {
		return
	}
	ls.emit(ls.al.cancel(), nil)
	ls.q.push(notice(ls.clock, noticeNoReplay))
}

func (ls *lineSink) holding() bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.al.holding()
}

func (ls *lineSink) emit(out []heldLine, v *verdict) {
	if v != nil {
		out = append(out, v.emit...)
		if v.gap {
			ls.q.push(notice(ls.clock, noticeGap))
		}
	}
	for _, l := range out {
		ls.q.push(console.Event{Kind: console.KindLine, Time: l.at, Text: l.text})
	}
}
