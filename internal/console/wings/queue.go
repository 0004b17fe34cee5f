package wings

import (
	"context"
	"fmt"
	"sync"

	"github.com/panelbot/panelbot/internal/console"
)

// queue sits between the socket's reader and the relay's events channel so
// that a slow relay never stalls the reader: the node drops lines for a
// reader that stalls 10 ms. When full it drops the oldest line (or stats
// snapshot), counts the lost lines and, once it has drained, tells the
// channel how many. Only one stats snapshot is ever pending: a newer one
// replaces it, as only the latest matters.
type queue struct {
	clock Clock
	size  int

	mu      sync.Mutex
	items   []console.Event
	dropped int
	closed  bool
	wake    chan struct{}
	done    chan struct{} // closed by close: nothing more will be pushed
}

func newQueue(size int, clock Clock) *queue {
	return &queue{clock: clock, size: size, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// push never blocks.
func (q *queue) push(ev console.Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	if ev.Kind == console.KindStats && q.replaceStats(ev) {
		return
	}
	if len(q.items) >= q.size && !q.dropOldest() {
		// Nothing older to drop: the queue is all notices and status
		// changes. A line is dropped and counted; notices may go over the
		// size, up to twice it, so that a node repeating events to a stalled
		// relay cannot grow the queue without bound.
		if ev.Kind == console.KindLine {
			q.dropped++
			return
		}
		if len(q.items) >= 2*q.size {
			return
		}
	}
	q.items = append(q.items, ev)
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) replaceStats(ev console.Event) bool {
	for i := len(q.items) - 1; i >= 0; i-- {
		if q.items[i].Kind == console.KindStats {
			q.items[i] = ev
			return true
		}
	}
	return false
}

// dropOldest removes the oldest line or stats snapshot; notices and status
// changes are never dropped.
func (q *queue) dropOldest() bool {
	for i, it := range q.items {
		if it.Kind == console.KindLine || it.Kind == console.KindStats {
			q.items = append(q.items[:i], q.items[i+1:]...)
			if it.Kind == console.KindLine {
				q.dropped++
			}
			return true
		}
	}
	return false
}

// close makes pump return once it has delivered what is queued.
func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		close(q.done)
	}
	q.closed = true
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// next takes the next event, waiting for one; false when the queue is
// closed and empty or ctx is done.
func (q *queue) next(ctx context.Context) (console.Event, bool) {
	for {
		q.mu.Lock()
		switch {
		case len(q.items) > 0:
			ev := q.items[0]
			q.items[0] = console.Event{}
			q.items = q.items[1:]
			q.mu.Unlock()
			return ev, true
		case q.dropped > 0:
			n := q.dropped
			q.dropped = 0
			q.mu.Unlock()
			return notice(q.clock, droppedNotice(n)), true
		case q.closed:
			q.mu.Unlock()
			return console.Event{}, false
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-ctx.Done():
			return console.Event{}, false
		}
	}
}

// pump delivers events to the relay until the queue is closed and drained or
// ctx is done. It is the only goroutine that may block on the relay. Once
// ctx is done it stops waiting on the relay, waits for the stream to close
// the queue, and hands over what is left without blocking (the relay reads
// until Stream returns, then drains its channel to Discord). It returns
// how many lines could not be handed over, for the log.
func (q *queue) pump(ctx context.Context, out chan<- console.Event) (lost int) {
	for {
		ev, ok := q.next(ctx)
		if !ok {
			break
		}
		select {
		case out <- ev:
			continue
		case <-ctx.Done():
			q.unshift(ev)
		}
		break
	}
	<-q.done
	return q.handOver(out)
}

// unshift puts back an event pump took but could not deliver.
func (q *queue) unshift(ev console.Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append([]console.Event{ev}, q.items...)
}

// handOver offers what the closed queue still holds without waiting, and
// counts the lines the relay had no room for.
func (q *queue) handOver(out chan<- console.Event) (lost int) {
	q.mu.Lock()
	items, dropped := q.items, q.dropped
	q.items, q.dropped = nil, 0
	q.mu.Unlock()
	offer := func(ev console.Event) bool {
		select {
		case out <- ev:
			return true
		default:
			return false
		}
	}
	for _, ev := range items {
		if !offer(ev) && ev.Kind == console.KindLine {
			lost++
		}
	}
	if dropped > 0 && !offer(notice(q.clock, droppedNotice(dropped))) {
		lost += dropped
	}
	return lost
}

func droppedNotice(n int) string {
	if n == 1 {
		return "1 console line was dropped because the relay fell behind."
	}
	return fmt.Sprintf("%d console lines were dropped because the relay fell behind.", n)
}

func notice(c Clock, text string) console.Event {
	return console.Event{Kind: console.KindNotice, Time: c.Now(), Text: text}
}
