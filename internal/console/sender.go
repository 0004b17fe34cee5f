package console

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// Queue bounds that are not worth a setting.
const (
	// lineOverhead is what a queued line costs beyond its text (the queue
	// slot and string header), so the byte cap bounds real memory.
	lineOverhead = 48
	// maxNotices and maxUrgent bound the notice queues; notices are rare,
	// and a flapping server must not grow them without end.
	maxNotices = 32
	maxUrgent  = 4
)

// sender owns one Discord channel's pace. Relays hand it lines and notices
// without ever waiting; its single goroutine posts them in order.
//
// Pacing is discordgo's: the channel's rate-limit bucket, kept from the
// X-RateLimit-* headers of every response, makes a post block inside
// discordgo until the bucket has room. While it blocks, lines accumulate,
// and the next message packs all it can hold. So a quiet console is posted
// at once, line by line, and a busy one in full 2000-character code blocks,
// with no rate figure written here.
//
// Folding: the backlog is folded when it could not be shown within the
// fold delay: the oldest waiting line is already that old, or there are
// more messages' worth waiting than Discord accepted in the last fold
// delay (at least 5), or the backlog reaches half the memory cap; and it is
// more than two messages' worth. Everything but the newest lines then goes
// into a .log attachment, and the same message shows a one-line summary
// and those newest lines. So the channel stays live, a fold costs no extra
// message, and in a flood there is about one fold per fold delay. The pace
// is measured, never assumed: it takes in the bucket, 429s, slow networks
// and global limits alike.
type sender struct {
	channelID string
	post      Poster
	cfg       *config
	wake      chan struct{} // a buffered slot: "there is something to post"

	mu      sync.Mutex
	lines   ring[line]
	notices ring[notice]
	urgent  []string
	seq     uint64      // orders lines and notices
	width   int         // code width of the queued lines
	held    int         // bytes of lines queued or in flight
	heldN   int         // lines queued or in flight
	last    time.Time   // when the last post ended
	posts   ring[int64] // when recent posts were accepted, for the pace
	warn    warnings
	stats   Stats
}

type line struct {
	text string // sanitised, without the zero-width spaces
	w    int    // width once rendered in a code block
	at   int64  // when it arrived, Unix nanoseconds
	seq  uint64
}

type notice struct {
	text string
	seq  uint64
}

// warnings are what the channel must be told about lines it did not get.
type warnings struct {
	dropped     int
	unconfirmed int
	failed      int
	failedWhy   string
}

// add merges the warnings of a message Discord refused back into the ones
// still to tell.
func (w warnings) add(o warnings) warnings {
	w.dropped += o.dropped
	w.unconfirmed += o.unconfirmed
	w.failed += o.failed
	if w.failedWhy == "" {
		w.failedWhy = o.failedWhy
	}
	return w
}

// Stats counts what a channel's sender did with the lines it was given.
// Lines split because they exceed a message count once per piece. Every
// line is in exactly one of Posted, Folded, Dropped, Unconfirmed, Failed
// or Pending.
type Stats struct {
	Lines       int // accepted from relays
	Posted      int // shown in code blocks Discord accepted
	Folded      int // in .log attachments Discord accepted
	Dropped     int // dropped at the memory cap or left at shutdown
	Unconfirmed int // in messages Discord did not confirm (network error, 5xx)
	Failed      int // in messages Discord refused (4xx) or kept rate limiting
	Pending     int // queued or in flight now
	Messages    int // messages Discord accepted
	Attachments int // .log files Discord accepted
	CodeChars   int // characters of code blocks, fences included, in accepted messages
	RateLimited int // 429 answers met
}

// Add sums two snapshots, for totals over channels.
func (a Stats) Add(b Stats) Stats {
	return Stats{
		Lines: a.Lines + b.Lines, Posted: a.Posted + b.Posted, Folded: a.Folded + b.Folded,
		Dropped: a.Dropped + b.Dropped, Unconfirmed: a.Unconfirmed + b.Unconfirmed,
		Failed: a.Failed + b.Failed, Pending: a.Pending + b.Pending,
		Messages: a.Messages + b.Messages, Attachments: a.Attachments + b.Attachments,
		CodeChars: a.CodeChars + b.CodeChars, RateLimited: a.RateLimited + b.RateLimited,
	}
}

func newSender(channelID string, p Poster, cfg *config) *sender {
	return &sender{channelID: channelID, post: p, cfg: cfg, wake: make(chan struct{}, 1)}
}

// Stats is a snapshot of the sender's counters.
func (s *sender) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Pending = s.heldN
	return st
}

// addLine queues one raw console line; it never blocks on Discord.
func (s *sender) addLine(raw string) {
	var buf [2]string
	parts := sanitizeLine(buf[:0], raw)
	if len(parts) == 0 {
		return
	}
	at := s.cfg.clock.Now().UnixNano()
	s.mu.Lock()
	for _, p := range parts {
		for codeWidth(p) > maxPiece {
			cut := pieceCut(p, maxPiece)
			s.pushLine(p[:cut], at)
			p = p[cut:]
		}
		s.pushLine(p, at)
	}
	s.enforceCap()
	s.mu.Unlock()
	s.signal()
}

func (s *sender) pushLine(text string, at int64) {
	w := codeWidth(text)
	s.lines.push(line{text: text, w: w, at: at, seq: s.seq})
	s.seq++
	s.width += w
	s.held += len(text) + lineOverhead
	s.heldN++
	s.stats.Lines++
}

// enforceCap drops the oldest queued lines while the channel holds more
// than its cap. Lines in flight count towards the cap but cannot be taken
// back, so the queue gives way.
func (s *sender) enforceCap() {
	for s.lines.len() > 0 && (s.held > s.cfg.maxBytes || s.cfg.maxLines > 0 && s.heldN > s.cfg.maxLines) {
		s.forget(s.lines.pop())
		s.warn.dropped++
		s.stats.Dropped++
	}
}

// forget removes a popped line from the queue's totals.
func (s *sender) forget(l line) {
	s.width -= l.w
	s.held -= len(l.text) + lineOverhead
	s.heldN--
}

// addNotice queues a plain notice, in order with the lines around it.
func (s *sender) addNotice(text string) {
	text = sanitizeNotice(text)
	if text == "" {
		return
	}
	s.mu.Lock()
	s.notices.push(notice{text: text, seq: s.seq})
	s.seq++
	if s.notices.len() > maxNotices {
		s.notices.pop()
		s.cfg.log.Warn("console notice dropped: too many queued", "channel", s.channelID)
	}
	s.mu.Unlock()
	s.signal()
}

// addUrgent queues a notice that goes ahead of everything else in the
// next message, such as the answer to a console command.
func (s *sender) addUrgent(text string) {
	text = sanitizeNotice(text)
	s.mu.Lock()
	if len(s.urgent) < maxUrgent && text != "" {
		s.urgent = append(s.urgent, text)
	}
	s.mu.Unlock()
	s.signal()
}

func (s *sender) signal() {
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// compose takes the next message's worth off the queues, or returns nil
// when there is nothing to post. final is set while draining.
func (s *sender) compose(final bool) *outMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lines.len() == 0 && s.notices.len() == 0 && len(s.urgent) == 0 && s.warn == (warnings{}) {
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
	if !s.shouldFold(final) || s.fold(&b, m) {
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
// full.
func (s *sender) pack(b *builder, m *outMsg) {
	for {
		var l *line
		if s.lines.len() > 0 {
			l = s.lines.at(0)
		}
		if s.notices.len() > 0 && (l == nil || s.notices.at(0).seq < l.seq) {
			n := s.notices.at(0)
			if !b.addText(n.text, width(n.text)) {
				return
			}
			s.notices.pop()
			m.silent = false
			continue
		}
		if l == nil || !b.addLine(l.text, l.w) {
			return
		}
		v := s.lines.pop()
		s.width -= v.w
		m.take(v)
		m.posted++
	}
}

// headRun counts the queued lines that come before the first notice.
func (s *sender) headRun() int {
	if s.notices.len() == 0 {
		return s.lines.len()
	}
	ns := s.notices.at(0).seq
	return sort.Search(s.lines.len(), func(i int) bool { return s.lines.at(i).seq > ns })
}
