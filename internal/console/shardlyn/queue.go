package shardlyn

import "sync"

// lineQueue stands between a connection's reader and the consumer. The
// reader never waits: when the queue is full the oldest line is dropped
// and counted, so the channel learns how many it missed.
type lineQueue struct {
	mu      sync.Mutex
	buf     []string // ring
	head, n int
	dropped int
	ready   chan struct{} // signalled (capacity 1) when lines arrive
}

func newLineQueue(size int) *lineQueue {
	return &lineQueue{buf: make([]string, size), ready: make(chan struct{}, 1)}
}

// push adds a line, dropping the oldest when full. It never blocks.
func (q *lineQueue) push(line string) {
	q.mu.Lock()
	if q.n == len(q.buf) {
		q.buf[q.head] = ""
		q.head = (q.head + 1) % len(q.buf)
		q.n--
		q.dropped++
	}
	q.buf[(q.head+q.n)%len(q.buf)] = line
	q.n++
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default: // already signalled
	}
}

// take empties the queue, returning its lines in order and how many were
// dropped since the last take.
func (q *lineQueue) take() (lines []string, dropped int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	lines = make([]string, q.n)
	for i := range lines {
		j := (q.head + i) % len(q.buf)
		lines[i], q.buf[j] = q.buf[j], ""
	}
	q.head, q.n = 0, 0
	dropped, q.dropped = q.dropped, 0
	return lines, dropped
}
