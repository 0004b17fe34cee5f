package wingssim

import (
	"time"
)

const (
	// tickEvery is Wings' token expiry ticker period.
	tickEvery = 30 * time.Second
	// expiringWindow: `token expiring` is sent when 0 < exp-now <= 60 s.
	expiringWindow = 60
	// authGrace: newer Wings closes a socket that has not authenticated by then.
	authGrace = 30 * time.Second
)

// waiter is one timer handed out by After.
type waiter struct {
	at time.Time
	ch chan time.Time
}

// Now is the node's simulated time.
func (n *Node) Now() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.now
}

// After returns a channel that receives the simulated time once Advance has
// moved the clock d past now. With Now it lets a client share the node's
// clock. A d <= 0 fires at once.
func (n *Node) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	n.mu.Lock()
	defer n.mu.Unlock()
	if d <= 0 {
		ch <- n.now
		return ch
	}
	n.waiters = append(n.waiters, waiter{at: n.now.Add(d), ch: ch})
	n.signal()
	return ch
}

// Waiters counts the After timers that have not fired yet, so that a test
// can tell a client is waiting on the clock before it advances it.
func (n *Node) Waiters() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.waiters)
}

// Advance moves the simulated clock forward by d, firing in time order every
// token tick, stats period, auth grace deadline and After timer that falls in
// the interval. Events it sends are queued on the sockets before it returns.
func (n *Node) Advance(d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.advanceLocked(n.now.Add(d))
	n.signal()
}

func (n *Node) advanceLocked(target time.Time) {
	for {
		at, ok := n.nextEventLocked(target)
		if !ok {
			break
		}
		n.now = at
		n.fireLocked()
	}
	if target.After(n.now) {
		n.now = target
	}
}

// nextEventLocked finds the earliest scheduled thing at or before target.
func (n *Node) nextEventLocked(target time.Time) (time.Time, bool) {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && !t.After(target) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, w := range n.waiters {
		consider(w.at)
	}
	for _, s := range n.servers {
		if s.containerRunning() && n.cfg.statsEvery > 0 {
			consider(s.nextStats)
		}
		for sock := range s.sockets {
			consider(sock.nextDeadline())
		}
	}
	return next, !next.IsZero()
}

// fireLocked runs everything due at n.now.
func (n *Node) fireLocked() {
	kept := n.waiters[:0]
	for _, w := range n.waiters {
		if w.at.After(n.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- n.now
	}
	n.waiters = kept
	for _, s := range n.servers {
		if s.containerRunning() && n.cfg.statsEvery > 0 && !s.nextStats.After(n.now) {
			s.nextStats = s.nextStats.Add(n.cfg.statsEvery)
			s.broadcast(n, "stats", false, s.statsJSON(n.now))
		}
		for sock := range s.sockets {
			sock.fire(n)
		}
	}
}
