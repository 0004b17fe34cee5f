package wingssim

import (
	"fmt"
	"time"
)

// streamGrid is the coarsest step of a fast generator: above 100 lines/s
// lines are written in batches every 10 ms of the node's clock, which keeps
// a hundred busy servers cheap in real time and still divides a second.
const streamGrid = 10 * time.Millisecond

// Stream is a line generator started by StreamLines.
type Stream struct {
	n      *Node
	s      *server
	uuid   string
	format string
	rate   int64
	start  time.Time

	// Guarded by Node.mu.
	written int64
	cancel  func()
	stopped bool
}

// StreamLines makes the server write numbered console lines,
// fmt.Sprintf(format, i) for i = 1, 2, …, at perSecond on the node's clock:
// line i is due i/perSecond seconds after the start, so on a manual clock
// Advance(time.Second) writes exactly perSecond lines, in order, before it
// returns. It may start before any client connects; lines go to the log
// and through the console throttle like Emit's. Stop it with Stream.Stop;
// it stops by itself when the server is deleted or the node shuts down.
func (n *Node) StreamLines(uuid string, perSecond int, format string) *Stream {
	if perSecond < 1 {
		n.t.Fatalf("wingssim: StreamLines(%q, %d): rate must be positive", uuid, perSecond)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st := &Stream{n: n, s: n.server(uuid), uuid: uuid, format: format,
		rate: int64(perSecond), start: n.clk.Now()}
	n.streams[st] = struct{}{}
	st.armLocked()
	return st
}

// Stop ends the generator; lines already due have been written.
func (st *Stream) Stop() {
	st.n.mu.Lock()
	defer st.n.mu.Unlock()
	st.stopLocked()
}

// Lines counts the lines written so far.
func (st *Stream) Lines() int {
	st.n.mu.Lock()
	defer st.n.mu.Unlock()
	return int(st.written)
}

func (st *Stream) stopLocked() {
	st.stopped = true
	if st.cancel != nil {
		st.cancel()
	}
	delete(st.n.streams, st)
}

// armLocked schedules the next batch: when line written+1 falls due,
// rounded up to the 10-ms grid for fast streams.
func (st *Stream) armLocked() {
	if st.stopped || st.n.closing {
		return
	}
	k := st.written + 1
	at := (k*int64(time.Second) + st.rate - 1) / st.rate
	if st.rate > 100 {
		grid := int64(streamGrid)
		at = (at + grid - 1) / grid * grid
	}
	d := st.start.Add(time.Duration(at)).Sub(st.n.clk.Now())
	st.cancel = st.n.schedule(d, st.fire)
}

// fire writes every line due by now, then arms the next batch.
func (st *Stream) fire() {
	n := st.n
	n.mu.Lock()
	if st.stopped {
		n.mu.Unlock()
		return
	}
	due := int64(n.clk.Now().Sub(st.start)) * st.rate / int64(time.Second)
	lines := make([]string, 0, max(due-st.written, 0))
	for i := st.written + 1; i <= due; i++ {
		lines = append(lines, fmt.Sprintf(st.format, i))
	}
	st.written = max(due, st.written)
	n.mu.Unlock()
	n.emit(st.s, lines)
	n.mu.Lock()
	st.armLocked()
	n.mu.Unlock()
}
