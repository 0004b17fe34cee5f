package console

import (
	"fmt"
	"io"
	"time"
)

// minPace is the least number of messages per fold delay the pace
// estimate assumes, so a channel that was quiet is not judged unable to
// post a few messages. It is a floor for a measurement, not a rate limit.
const minPace = 5

// shouldFold applies the policy described on sender. Two messages' worth
// or less is always posted: folding would save no message.
func (s *sender) shouldFold(final bool) bool {
	n := s.lines.len()
	need := (s.width + n - 1 + fenceWidth + maxPiece - 1) / maxPiece // messages to drain
	if n == 0 || need <= 2 {
		return false
	}
	if final {
		return true
	}
	now := s.cfg.clock.Now().UnixNano()
	lag := time.Duration(now - s.lines.at(0).at)
	return lag >= s.cfg.foldAfter || need > max(s.recentPosts(now), minPace) ||
		s.held >= s.cfg.maxBytes/2 || s.cfg.maxLines > 0 && s.heldN >= s.cfg.maxLines/2
}

// recentPosts counts the messages Discord accepted within the last fold
// delay: the channel's observed pace, whatever its bucket.
func (s *sender) recentPosts(now int64) int {
	for s.posts.len() > 0 && now-*s.posts.at(0) > int64(s.cfg.foldAfter) {
		s.posts.pop()
	}
	return s.posts.len()
}

// attachLimit is the largest .log file the channel takes.
func (s *sender) attachLimit() int64 {
	limit := s.upload
	if limit == 0 {
		limit = uploadDefault
	}
	limit -= uploadRoom
	if s.cfg.maxAttachment > 0 {
		limit = min(limit, int64(s.cfg.maxAttachment))
	}
	return limit
}

// foldBacklog moves the oldest lines into the message's attachment: first
// those on disk, then, when the policy says so, those in memory but the
// newest that fit beside the summary. Only lines before the first queued
// notice are folded, so a notice is never hidden in a file. It reports
// whether the message may also show lines as text: not while older lines
// wait on disk or a size limit cut the fold short, because newer lines
// must never be shown before older ones; the next message folds on.
func (s *sender) foldBacklog(b *builder, m *outMsg, final bool) bool {
	a := &attachment{}
	ok := s.foldDisk(a, m)
	if ok && s.shouldFold(final) {
		ok = s.foldMemory(b, a, m)
	}
	if a.count > 0 {
		a.name = "console-" + time.Unix(0, a.first).UTC().Format("20060102-150405") + ".log"
		m.file = a
		// The summary does not notify on its own: a flood must not buzz
		// everyone who follows the channel.
		summary := summaryText(a.count, a.first, a.last)
		b.addText(summary, width(summary))
	}
	return ok
}

// foldDisk attaches the spilled lines due before the first notice, as many
// as the upload limit allows; it reports whether none are left on disk.
func (s *sender) foldDisk(a *attachment, m *outMsg) bool {
	run := s.diskRun()
	if run == 0 {
		return s.onDisk() == 0
	}
	d := s.disk
	n, size, err := d.chunk(s.attachLimit(), run)
	if err != nil || n == 0 {
		s.cfg.log.Error("console spill file unreadable: its lines are dropped", "channel", s.channelID, "lines", d.lines, "err", err)
		s.stats.Dropped += d.lines
		s.warn.dropped += d.lines
		d.release(d.lines, d.tail-d.head)
		return true
	}
	off := d.head
	a.disk, a.diskSize = func() io.Reader { return d.section(off, size) }, size
	a.count, a.first, a.last = n, d.timeOf(d.first), d.timeOf(d.first+uint64(n)-1)
	m.folded, m.spilled, m.spillSize = n, n, size
	s.diskFlight = n
	return s.onDisk() == 0
}

// foldMemory folds the queued lines after those already attached.
func (s *sender) foldMemory(b *builder, a *attachment, m *outMsg) bool {
	run := s.headRun()
	keep := 0
	if run == s.lines.len() {
		// The summary's width depends only on the digits of the count.
		keep = s.tailFit(b.room() - b.sep() - width(summaryText(a.count+run, 0, 0)))
	}
	n := s.foldCount(run-keep, s.attachLimit()-a.size())
	if n == 0 {
		return true
	}
	if a.count == 0 {
		a.first = s.lines.at(0).at
	}
	a.last = s.lines.at(n - 1).at
	for range n {
		v := s.lines.pop()
		s.width -= v.w
		m.take(v)
		a.lines = append(a.lines, v.text)
	}
	a.count += n
	m.folded += n
	return n == run-keep
}

// summaryText is the one-line summary of a fold. Discord shows <t:…:T>
// in each reader's own time zone.
func summaryText(n int, first, last int64) string {
	const fixed = 1_000_000_000 // any 10-digit second, for measuring
	if first == 0 {
		first, last = fixed*int64(time.Second), fixed*int64(time.Second)
	}
	return fmt.Sprintf("📎 %d console lines from <t:%d:T> to <t:%d:T> are attached: more than this channel can show live.",
		n, first/int64(time.Second), last/int64(time.Second))
}

// foldCount is how many of the oldest max lines one attachment takes: at
// most room bytes, and at most half the memory cap, because lines in
// flight count towards the cap and cannot be dropped: the queue must keep
// room for the newest lines while the upload lasts.
func (s *sender) foldCount(max int, room int64) int {
	n, size, held := 0, int64(0), 0
	for n < max {
		l := len(s.lines.at(n).text)
		if n > 0 && (size+int64(l)+1 > room || held+l+lineOverhead > s.cfg.maxBytes/2) {
			break
		}
		size, held = size+int64(l)+1, held+l+lineOverhead
		n++
	}
	return n
}

// tailFit counts how many of the newest lines fit one code block of width
// room after a paragraph.
func (s *sender) tailFit(room int) int {
	used, k := 1+fenceWidth, 0
	for i := s.lines.len() - 1; i >= 0; i-- {
		w := s.lines.at(i).w
		if k > 0 {
			w++
		}
		if used+w > room {
			break
		}
		used += w
		k++
	}
	return k
}
