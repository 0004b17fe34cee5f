package wingssim

import (
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
)

const (
	// tickEvery is the period of Wings' per-socket token expiry ticker.
	tickEvery = 30 * time.Second
	// expiringWindow: `token expiring` goes out when 0 < exp-now <= 60 s.
	expiringWindow = 60
)

// A Node is a clock.Clock, so a client under test can simply be given it.
var _ clock.Clock = (*Node)(nil)

// Clock is the clock the node runs on, to share with the client under test.
func (n *Node) Clock() clock.Clock { return n.clk }

// Now is the node's time.
func (n *Node) Now() time.Time { return n.clk.Now() }

// After waits on the node's clock, so that a Node is itself a clock.Clock.
func (n *Node) After(d time.Duration) <-chan time.Time { return n.clk.After(d) }

// Advance moves the node's manual clock forward by d. Every token tick,
// stats period and generated line due on the way happens at its own time,
// in order, before Advance returns (the writes to the sockets follow on
// their own goroutines). It fails the test when the node runs on another
// kind of clock.
func (n *Node) Advance(d time.Duration) {
	if n.manual == nil {
		n.t.Fatalf("wingssim: Advance needs a manual clock")
	}
	n.manual.Advance(d)
}

// Waiters counts the After waits on a manual clock that have not fired, so
// that a test can tell the client is parked on the clock before moving it.
// The node's own tickers are not counted. It is 0 on other clocks.
func (n *Node) Waiters() int {
	if n.manual == nil {
		return 0
	}
	return n.manual.Pending()
}

// schedule runs f once d has passed on the node's clock and returns a
// function that cancels it. A manual clock runs f inside Advance at its due
// time; the real clock runs it on a timer goroutine; any other clock gets a
// goroutine waiting on After.
func (n *Node) schedule(d time.Duration, f func()) (cancel func()) {
	if n.manual != nil {
		t := n.manual.AfterFunc(d, f)
		return func() { t.Stop() }
	}
	if _, ok := n.clk.(clock.Real); ok {
		t := time.AfterFunc(d, f)
		return func() { t.Stop() }
	}
	stop := make(chan struct{})
	fire := n.clk.After(d)
	go func() {
		select {
		case <-fire:
			f()
		case <-stop:
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(stop) }) }
}
