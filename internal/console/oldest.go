package console

import "time"

// Oldest reports when the oldest line still queued for the channel (in
// memory or spilled to disk, not yet in a message on its way) arrived,
// so a watcher can tell how far the channel lags behind its console. It
// is false when nothing is queued.
func (h *Hub) Oldest(channelID string) (time.Time, bool) {
	h.mu.Lock()
	var live []*sender
	if e := h.senders[channelID]; e != nil {
		live = append(live, e.s)
	}
	for s := range h.draining {
		if s.channelID == channelID {
			live = append(live, s)
		}
	}
	h.mu.Unlock()
	var oldest int64
	for _, s := range live {
		if at, ok := s.oldest(); ok && (oldest == 0 || at < oldest) {
			oldest = at
		}
	}
	if oldest == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, oldest), true
}

// oldest is when the sender's oldest queued line arrived, Unix nanoseconds.
// Spilled lines are older than those in memory, and known to the second.
func (s *sender) oldest() (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.disk != nil && s.disk.lines > s.diskFlight {
		if at := s.disk.timeOf(s.disk.first + uint64(s.diskFlight)); at != 0 {
			return at, true
		}
	}
	if s.lines.len() > 0 {
		return s.lines.at(0).at, true
	}
	return 0, false
}
