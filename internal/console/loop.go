package console

import (
	"context"
	"time"
)

// run posts until ctx is cancelled, then drains what it holds for at most
// the drain timeout.
func (s *sender) run(ctx context.Context) {
	hard, cancel := s.hardStop(ctx)
	defer cancel()
	failures := 0
	for ctx.Err() == nil {
		if d := s.holdFor(); d > 0 {
			s.hold(ctx, d)
			continue
		}
		m := s.compose(false)
		if m == nil {
			select {
			case <-s.wake:
			case <-ctx.Done():
			}
			continue
		}
		if s.deliverAndMark(hard, m) {
			failures = 0
			continue
		}
		failures++
		s.sleep(ctx, backoff(failures))
	}
	s.drain(hard)
}

// deliverAndMark delivers m and notes when the post ended, for the linger.
func (s *sender) deliverAndMark(ctx context.Context, m *outMsg) bool {
	ok := s.deliver(ctx, m)
	s.mu.Lock()
	s.last = s.cfg.clock.Now()
	s.mu.Unlock()
	return ok
}

// holdFor says how long the next message should linger for more lines: only
// a partial message right after a post waits (see WithLinger).
func (s *sender) holdFor() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lines.len() == 0 && s.notices.len() == 0 || s.urgentLocked() || s.fullLocked() {
		return 0
	}
	return s.last.Add(s.cfg.linger).Sub(s.cfg.clock.Now())
}

func (s *sender) urgentLocked() bool { return len(s.urgent) > 0 || s.warn != (warnings{}) }

// fullLocked reports whether the queued lines fill a message.
func (s *sender) fullLocked() bool {
	return s.width+s.lines.len()-1+fenceWidth >= maxContent
}

// hold waits up to d, returning early when a full message's worth or
// something urgent is queued, or ctx ends.
func (s *sender) hold(ctx context.Context, d time.Duration) {
	timer := s.cfg.clock.After(d)
	for {
		select {
		case <-timer:
			return
		case <-ctx.Done():
			return
		case <-s.wake:
			s.mu.Lock()
			now := s.urgentLocked() || s.fullLocked()
			s.mu.Unlock()
			if now {
				return
			}
		}
	}
}

// hardStop returns a context that ends drainTimeout after ctx does: posts
// in flight at shutdown are not cut short, but the drain is bounded.
func (s *sender) hardStop(ctx context.Context) (context.Context, context.CancelFunc) {
	hard, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		select {
		case <-s.cfg.clock.After(s.cfg.drainTimeout):
		case <-hard.Done():
		}
		cancel()
	})
	return hard, func() { stop(); cancel() }
}

// drain posts what is left, folding all but the last message's worth, and
// gives up at the first failure: nobody is left to retry for.
func (s *sender) drain(hard context.Context) {
	for hard.Err() == nil {
		m := s.compose(true)
		if m == nil || !s.deliver(hard, m) {
			break
		}
	}
	s.mu.Lock()
	left := s.lines.len()
	for s.lines.len() > 0 {
		s.forget(s.lines.pop())
	}
	s.stats.Dropped += left
	untold := s.warn
	s.warn = warnings{}
	s.mu.Unlock()
	// Nobody is left to tell the channel: the operator's log says it all.
	if left > 0 || untold != (warnings{}) {
		s.cfg.log.Warn("console relay stopped before the channel was told everything", "channel", s.channelID,
			"lines_unposted", left, "dropped_untold", untold.dropped,
			"unconfirmed_untold", untold.unconfirmed, "refused_untold", untold.failed)
	}
}

// sleep waits d on the injected clock; false if ctx ended first.
func (s *sender) sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-s.cfg.clock.After(d):
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff is the pause after the n-th failure in a row: 1 s doubling to
// 5 min, so a channel Discord refuses (missing permission) costs a handful
// of invalid requests per hour, far from the 10,000 per 10 minutes that
// get the bot's IP banned.
func backoff(n int) time.Duration {
	return min(time.Second<<min(n-1, 9), 5*time.Minute)
}
