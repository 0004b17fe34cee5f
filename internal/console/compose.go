package console

import "fmt"

// compose takes the next message's worth off the queues, or returns nil
// when there is nothing to post. final is set while draining.
func (s *sender) compose(final bool) *outMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lines.len() == 0 && s.notices.len() == 0 && len(s.urgent) == 0 && s.warn == (warnings{}) && s.onDisk() == 0 {
		return nil
	}
	m := &outMsg{silent: s.cfg.silent}
	var b builder
	s.writeWarnings(&b, m)
	for _, u := range s.urgent {
		b.addText(u, width(u))
		m.silent = false
	}
	s.urgent = s.urgent[:0]
	if s.foldBacklog(&b, m, final) {
		s.pack(&b, m)
	}
	if b.empty() {
		return nil // cannot happen: the first item always fits an empty message
	}
	m.content, m.code = b.String(), b.code
	return m
}

func (s *sender) writeWarnings(b *builder, m *outMsg) {
	w := s.warn
	s.warn, m.warn = warnings{}, w
	for _, t := range []struct {
		n    int
		text string
	}{
		{w.dropped, "⚠ %d console lines were dropped: the console produced more than the bot can hold"},
		{w.unconfirmed, "⚠ %d console lines may be missing: Discord did not confirm the message that held them"},
		{w.failed, "⚠ %d console lines were not posted: Discord refused the message (" + w.failedWhy + ")"},
	} {
		if t.n > 0 {
			text := fmt.Sprintf(t.text, t.n)
			b.addText(text, width(text))
			m.silent = false
		}
	}
}

// pack adds lines and notices in the order they came until the message is
// full. A notice due before the spilled lines goes first; spilled lines
// themselves only ever leave as attachments (see foldBacklog).
func (s *sender) pack(b *builder, m *outMsg) {
	for {
		next, ok := s.nextNo()
		if s.notices.len() > 0 && (!ok || s.notices.at(0).before <= next) {
			n := s.notices.at(0)
			if !b.addText(n.text, width(n.text)) {
				return
			}
			s.notices.pop()
			m.silent = false
			continue
		}
		if !ok || s.onDisk() > 0 || !b.addLine(s.lines.at(0).text, s.lines.at(0).w) {
			return
		}
		v := s.lines.pop()
		s.width -= v.w
		m.take(v)
		m.posted++
	}
}

// nextNo is the number of the oldest line waiting, on disk or in memory.
func (s *sender) nextNo() (uint64, bool) {
	if s.onDisk() > 0 {
		return s.disk.first + uint64(s.diskFlight), true
	}
	if s.lines.len() > 0 {
		return s.lines.at(0).no, true
	}
	return 0, false
}
