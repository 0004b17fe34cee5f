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
}

func newQueue(size int, clock Clock) *queue {
	return &queue{clock: clock, size: size, wake: make(chan struct{}, 1)}
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
	if len(q.items) >= q.size && !q.dropOldest() && ev.Kind == console.KindLine {
		q.dropped++ // nothing older to drop: the queue is all notices
		return
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
// ctx is done. It is the only goroutine that may block on the relay.
func (q *queue) pump(ctx context.Context, out chan<- console.Event) {
	for {
		ev, ok := q.next(ctx)
		if !ok {
			return
		}
		select {
		case out <- ev:
		case <-ctx.Done():
			return
		}
	}
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
