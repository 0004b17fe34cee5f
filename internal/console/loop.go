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
		s.learnUpload(hard)
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
		s.sleep(ctx, s.cfg.backoff.Delay(failures))
		failures++
	}
	s.drain(hard)
}

// learnUpload looks the channel's upload limit up before its first
// spilled attachment: quiet channels never spend the requests.
func (s *sender) learnUpload(ctx context.Context) {
	s.mu.Lock()
	need := s.upload == 0 && s.onDisk() > 0
	s.mu.Unlock()
	if !need {
		return
	}
	v := s.hub.uploadLimit(ctx, s.channelID)
	s.mu.Lock()
	s.upload = v
	s.mu.Unlock()
}

// deliverAndMark delivers m and notes when the post ended, for the linger.
func (s *sender) deliverAndMark(ctx context.Context, m *outMsg) bool {
	ok := s.deliver(ctx, m)
	s.mu.Lock()
	s.last = s.cfg.clock.Now()
	s.mu.Unlock()
	return ok
}

// holdFor says how long the next message should linger for more lines: a
// partial message right after a post waits up to the linger (see
// WithLinger); the first line after a quiet spell waits the first linger,
// so a burst's first message is not spent on its first line.
func (s *sender) holdFor() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lines.len() == 0 && s.notices.len() == 0 || s.urgentLocked() || s.fullLocked() || s.onDisk() > 0 {
		return 0
	}
	now := s.cfg.clock.Now()
	if d := s.last.Add(s.cfg.linger).Sub(now); d > 0 {
		return d
	}
	return time.Unix(0, s.firstArrival()).Add(s.cfg.firstLinger).Sub(now)
}

// firstArrival is when the oldest queued line or notice arrived: a notice
// waits for company as a line does (a server's "running" notice is
// followed by its first lines, which it should not cost a message of
// their own).
func (s *sender) firstArrival() int64 {
	switch {
	case s.lines.len() == 0:
		return s.notices.at(0).at
	case s.notices.len() == 0:
		return s.lines.at(0).at
	}
	return min(s.lines.at(0).at, s.notices.at(0).at)
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
			now := s.urgentLocked() || s.fullLocked() || s.onDisk() > 0
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
// gives up at the first failure: nobody is left to retry for. What it
// cannot post is counted as dropped and logged with counts, and the spill
// file removed.
func (s *sender) drain(hard context.Context) {
	for hard.Err() == nil {
		s.learnUpload(hard)
		m := s.compose(true)
		if m == nil || !s.deliver(hard, m) {
			break
		}
	}
	s.mu.Lock()
	mem, disk := s.lines.len(), s.onDisk()
	for s.lines.len() > 0 {
		s.forget(s.lines.pop())
	}
	if s.disk != nil {
		s.disk.close()
		s.disk = nil
	}
	s.stats.Dropped += mem + disk
	untold := s.warn
	s.warn = warnings{}
	s.mu.Unlock()
	// Nobody is left to tell the channel: the operator's log says it all.
	if mem+disk > 0 || untold != (warnings{}) {
		s.cfg.log.Warn("console relay stopped before the channel was told everything", "channel", s.channelID,
			"lines_unposted", mem+disk, "dropped_untold", untold.dropped,
			"unconfirmed_untold", untold.unconfirmed, "refused_untold", untold.failed, "unposted_on_disk", disk)
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
