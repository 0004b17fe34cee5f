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

// fold moves the oldest lines into the message's attachment and writes the
// summary. Only lines before the first queued notice are folded, so a
// notice is never hidden in a file and order is kept. It reports whether
// the rest of the message may be packed: false when a size limit cut the
// fold short (see foldCount), because newer lines must not be shown before
// the older ones still waiting; the next message folds on.
func (s *sender) fold(b *builder, m *outMsg) bool {
	run := s.headRun()
	keep := 0
	if run == s.lines.len() {
		// The summary's width depends only on the digits of the count.
		keep = s.tailFit(b.room() - b.sep() - width(summaryText(run, 0, 0)))
	}
	n := s.foldCount(run - keep)
	if n == 0 {
		return true
	}
	a := &attachment{lines: make([]string, 0, n)}
	first, last := s.lines.at(0).at, s.lines.at(n-1).at
	for range n {
		v := s.lines.pop()
		s.width -= v.w
		m.take(v)
		a.lines = append(a.lines, v.text)
	}
	a.name = "console-" + time.Unix(0, first).UTC().Format("20060102-150405") + ".log"
	m.file, m.folded = a, n
	summary := summaryText(n, first, last)
	// The summary does not notify on its own: a flood must not buzz
	// everyone who follows the channel.
	b.addText(summary, width(summary))
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
// most the attachment limit, and at most half the memory cap, because lines
// in flight count towards the cap and cannot be dropped: the queue must keep
// room for the newest lines while the upload lasts.
func (s *sender) foldCount(max int) int {
	n, size, held := 0, 0, 0
	for n < max {
		l := len(s.lines.at(n).text)
		if n > 0 && (size+l+1 > s.cfg.maxAttachment || held+l+lineOverhead > s.cfg.maxBytes/2) {
			break
		}
		size, held = size+l+1, held+l+lineOverhead
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

// attachment is a folded backlog: its lines, written out one per line.
type attachment struct {
	name  string
	lines []string
}

// size is the file's length in bytes.
func (a *attachment) size() int {
	n := 0
	for _, l := range a.lines {
		n += len(l) + 1
	}
	return n
}

// reader streams the file without building it: discordgo copies it into
// the multipart body anyway, and a second copy would double the memory a
// fold needs. Each attempt gets a fresh reader.
func (a *attachment) reader() io.Reader { return &linesReader{lines: a.lines} }

type linesReader struct {
	lines []string
	off   int // bytes of lines[0] already read
}

func (r *linesReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && len(r.lines) > 0 {
		l := r.lines[0]
		if r.off < len(l) {
			c := copy(p[n:], l[r.off:])
			n += c
			r.off += c
			continue
		}
		p[n] = '\n'
		n++
		r.lines, r.off = r.lines[1:], 0
	}
	if n == 0 && len(r.lines) == 0 {
		return 0, io.EOF
	}
	return n, nil
}
