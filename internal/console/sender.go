package console

import (
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
// without ever waiting on Discord; its single goroutine posts them in order.
//
// Pacing is discordgo's for the channel: its rate-limit bucket, kept from
// the X-RateLimit-* headers of every response, makes a post block inside
// discordgo until the bucket has room; then the hub's global pace lets it
// leave. While it blocks, lines accumulate, and the next message packs all
// it can hold. So a quiet console is posted within a first linger, and a
// busy one in full 2000-character code blocks, with no rate figure here.
//
// Memory and disk: past the memory cap the oldest waiting lines move to
// the channel's spill file (see spill), so nothing is lost under a flood
// until the disk bound; the spilled lines go out first, as attachments.
//
// Folding: the backlog is folded when it could not be shown within the
// fold delay: the oldest waiting line is already that old, or there are
// more messages' worth waiting than Discord accepted in the last fold
// delay (at least 5), or the backlog reaches half the memory cap; and it is
// more than two messages' worth. Everything but the newest lines then goes
// into a .log attachment, and the same message shows a one-line summary
// and those newest lines. So the channel stays live, a fold costs no extra
// message, and attachments always hold lines older than the text beside
// them.
type sender struct {
	channelID string
	hub       *Hub
	cfg       *config
	wake      chan struct{} // a buffered slot: "there is something to post"
	spillPath string        // "" when overflow is dropped

	mu         sync.Mutex
	lines      ring[line]
	notices    ring[notice]
	urgent     []string
	next       uint64      // number of the next line
	width      int         // code width of the queued lines
	held       int         // bytes of lines queued or in flight from memory
	heldN      int         // lines queued or in flight from memory
	disk       *spill      // opened at the first overflow
	diskFlight int         // lines of the disk in the message in flight
	upload     int64       // the channel's upload limit, once looked up
	last       time.Time   // when the last post ended
	posts      ring[int64] // when recent posts were accepted, for the pace
	warn       warnings
	stats      Stats
}

type line struct {
	text string // sanitised, without the zero-width spaces
	w    int    // width once rendered in a code block
	at   int64  // when it arrived, Unix nanoseconds
	no   uint64 // its number: lines are numbered without gaps
}

// notice goes out before line number before.
type notice struct {
	text   string
	before uint64
	at     int64 // when it arrived, Unix nanoseconds
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

func newSender(channelID string, h *Hub, spillPath string) *sender {
	return &sender{channelID: channelID, hub: h, cfg: &h.cfg, spillPath: spillPath, wake: make(chan struct{}, 1)}
}

// Stats is a snapshot of the sender's counters.
func (s *sender) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Pending = s.heldN + s.diskFlight
	if s.disk != nil {
		st.OnDisk = s.disk.lines - s.diskFlight
	}
	return st
}

// addLine queues one raw console line; it never blocks on Discord. Past
// the memory cap it writes to the spill file, which the page cache makes
// about as cheap as the copy it replaces.
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
	s.lines.push(line{text: text, w: w, at: at, no: s.next})
	s.next++
	s.width += w
	s.held += len(text) + lineOverhead
	s.heldN++
	s.stats.Lines++
}

func (s *sender) overCap(bytes, n int) bool {
	return s.held > bytes || s.cfg.maxLines > 0 && s.heldN > n
}

// enforceCap moves the oldest queued lines out of memory while the channel
// holds more than its cap: to disk when there is room, else they are
// dropped and the channel told. Lines in flight count towards the cap but
// cannot be taken back, so the queue gives way. With a spill file it moves
// down to 3/4 of the cap, so the disk is written in batches rather than a
// line at a time.
func (s *sender) enforceCap() {
	if s.lines.len() == 0 || !s.overCap(s.cfg.maxBytes, s.cfg.maxLines) {
		return
	}
	bytes, n := s.cfg.maxBytes, s.cfg.maxLines
	if s.spillPath != "" {
		bytes, n = bytes*3/4, n*3/4
	}
	var batch []line
	for s.lines.len() > 0 && s.overCap(bytes, n) {
		l := s.lines.pop()
		s.forget(l)
		batch = append(batch, l)
	}
	kept := s.toDisk(batch)
	s.warn.dropped += len(batch) - kept
	s.stats.Dropped += len(batch) - kept
}

// toDisk writes the longest prefix of batch that fits the spill file and
// returns its length: the lines cut off are the ones dropped, between the
// older ones on disk and the newer ones in memory, so order is kept.
func (s *sender) toDisk(batch []line) int {
	if s.spillPath == "" {
		return 0
	}
	if s.disk == nil {
		d, err := openSpill(s.spillPath, s.cfg.spillCap)
		if err != nil {
			s.cfg.log.Error("console spill file cannot be opened: dropping overflow", "channel", s.channelID, "err", err)
			s.spillPath = ""
			return 0
		}
		s.disk = d
	}
	n, size := 0, int64(0)
	for n < len(batch) && size+int64(len(batch[n].text)+1) <= s.disk.free() {
		size += int64(len(batch[n].text) + 1)
		n++
	}
	if n == 0 {
		return 0
	}
	if err := s.disk.write(batch[:n]); err != nil {
		s.cfg.log.Error("console spill write failed: dropping overflow", "channel", s.channelID, "err", err)
		return 0
	}
	s.stats.Spilled += n
	return n
}

// forget removes a popped line from the queue's totals.
func (s *sender) forget(l line) {
	s.width -= l.w
	s.held -= len(l.text) + lineOverhead
	s.heldN--
}

// onDisk counts the lines waiting in the spill file, not yet in flight.
func (s *sender) onDisk() int {
	if s.disk == nil {
		return 0
	}
	return s.disk.lines - s.diskFlight
}

// addNotice queues a plain notice, in order with the lines around it.
func (s *sender) addNotice(text string) {
	text = sanitizeNotice(text)
	if text == "" {
		return
	}
	s.mu.Lock()
	s.notices.push(notice{text: text, before: s.next, at: s.cfg.clock.Now().UnixNano()})
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

// headRun counts the queued lines that come before the first notice.
func (s *sender) headRun() int {
	if s.notices.len() == 0 {
		return s.lines.len()
	}
	nb := s.notices.at(0).before
	return sort.Search(s.lines.len(), func(i int) bool { return s.lines.at(i).no >= nb })
}

// diskRun counts the spilled lines that come before the first notice.
func (s *sender) diskRun() int {
	n := s.onDisk()
	if n == 0 || s.notices.len() == 0 {
		return n
	}
	nb := s.notices.at(0).before
	if nb <= s.disk.first {
		return 0
	}
	return min(n, int(nb-s.disk.first))
}
