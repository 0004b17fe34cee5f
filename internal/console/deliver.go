package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Rate-limit handling bounds.
const (
	// maxAttempts bounds how often one message is tried when Discord keeps
	// answering 429: each 429 counts towards the invalid-request ban.
	maxAttempts = 8
	// minRetryAfter keeps a 429 that says "retry now" from becoming a
	// tight loop.
	minRetryAfter = 250 * time.Millisecond
)

// outMsg is one composed message and the lines it carries, so its outcome
// can be accounted for.
type outMsg struct {
	content   string
	file      *attachment
	silent    bool
	posted    int      // lines in code blocks
	folded    int      // lines in the attachment, spilled ones included
	spilled   int      // lines of the attachment read from disk
	spillSize int64    // their bytes on disk, released once settled
	code      int      // width of code blocks, fences included
	bytes     int      // held bytes to release once settled
	warn      warnings // the warnings it tells, told again if it is refused
}

// take records a line popped from the queue into this message.
func (m *outMsg) take(l line) { m.bytes += len(l.text) + lineOverhead }

// payload builds the request. It is rebuilt for every attempt because the
// attachment's reader is consumed by an attempt.
func (m *outMsg) payload() *discordgo.MessageSend {
	ms := &discordgo.MessageSend{
		Content: m.content,
		// An empty, non-nil list: the message pings nobody, whatever the
		// console says (@everyone, <@&role>, <@user>).
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}
	if m.silent {
		ms.Flags = discordgo.MessageFlagsSuppressNotifications
	}
	if m.file != nil {
		ms.Files = []*discordgo.File{{Name: m.file.name, ContentType: "text/plain; charset=utf-8", Reader: m.file.reader()}}
	}
	return ms
}

// outcome is what became of one attempt.
type outcome int

const (
	sent        outcome = iota + 1 // Discord accepted it
	limited                        // 429: not accepted, may be sent again
	unsent                         // never processed (refused connection, 502): send again after a pause
	refused                        // 4xx: not accepted, must not be sent again
	unconfirmed                    // failed after it may have been processed: never sent again
	abandoned                      // never processed, and the sender is stopping
)

// classify sorts an attempt by discordgo's error and what the pace's
// watcher saw. A 2xx whose body could not be decoded was posted. A refused
// connection never reached Discord, and Discord documents 502 as "no
// gateway was available to process your request": both are sent again.
// Anything else Discord did not answer with a status it explains (a
// timeout or reset after sending, a 500) is unconfirmed: the message may
// have been posted, so it is not sent again (at most once) and the channel
// is told lines may be missing. discordgo's own retries are switched off
// for the same reason (see send).
func classify(err error, a *attempt) (outcome, time.Duration, string) {
	if err == nil || errors.Is(err, discordgo.ErrJSONUnmarshal) {
		return sent, 0, ""
	}
	a.mu.Lock()
	notSent, status := a.unsent || dialFailed(err), a.status
	a.mu.Unlock()
	if notSent || status == http.StatusBadGateway {
		return unsent, 0, ""
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return limited, max(rl.RetryAfter, minRetryAfter), ""
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		code := re.Response.StatusCode
		switch {
		case code == http.StatusBadGateway:
			return unsent, 0, ""
		case code == http.StatusTooManyRequests:
			return limited, time.Second, ""
		case code >= 400 && code < 500:
			return refused, 0, fmt.Sprintf("HTTP %d", code)
		}
	}
	return unconfirmed, 0, ""
}

// deliver posts m, waiting out 429s and outages, and accounts for its
// lines. It reports whether Discord accepted it. ctx bounds the whole
// delivery: once it ends, a message that was never processed is abandoned.
func (s *sender) deliver(ctx context.Context, m *outMsg) bool {
	for tries, pauses := 1, 0; ; {
		a := &attempt{}
		err := s.send(ctx, m, a)
		out, wait, why := classify(err, a)
		switch out {
		case limited:
			s.count(func(st *Stats) { st.RateLimited++ })
			if tries < maxAttempts && s.sleep(ctx, wait) {
				tries++
				continue
			}
			out, why = refused, "still rate limited"
		case unsent:
			s.count(func(st *Stats) { st.Retried++ })
			if s.sleep(ctx, s.cfg.backoff.Delay(pauses)) {
				pauses++
				continue
			}
			out = abandoned
		}
		if out != sent {
			s.cfg.log.Warn("console message not posted", "channel", s.channelID, "outcome", out.String(),
				"lines", m.posted+m.folded, "err", err)
		}
		s.settle(m, out, why)
		return out == sent
	}
}

func (s *sender) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// send makes one attempt. discordgo still waits for the channel's bucket
// (that is the pacing), then the hub's global pace, but must neither retry
// a 429 by itself (its wait ignores the context and has no bound) nor
// re-send after a 502 (sending again is decided here, by the same rules
// for every failure).
func (s *sender) send(ctx context.Context, m *outMsg, a *attempt) error {
	release, err := s.hub.reserveUpload(ctx, m)
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.postTimeout)
	defer cancel()
	_, err = s.hub.post.ChannelMessageSendComplex(s.channelID, m.payload(), discordgo.WithContext(ctx),
		discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0), s.hub.pace.option(a))
	return err
}

// settle releases m's lines from memory and disk and counts them by outcome.
func (s *sender) settle(m *outMsg, out outcome, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := m.posted + m.folded
	s.held -= m.bytes
	s.heldN -= n - m.spilled
	if m.spilled > 0 {
		s.disk.release(m.spilled, m.spillSize)
		s.diskFlight = 0
	}
	if out == sent {
		s.accept(m)
		return
	}
	s.lose(m, out, why, n)
}

// lose counts the n lines of a message Discord did not accept and queues
// what the channel must be told about them.
func (s *sender) lose(m *outMsg, out outcome, why string, n int) {
	switch out {
	case unconfirmed:
		s.stats.Unconfirmed += n
		s.warn.unconfirmed += n
	case abandoned:
		// Nobody is left to tell the channel: the drain logs it.
		s.stats.Dropped += n
		s.warn = s.warn.add(m.warn)
		s.warn.dropped += n
	default:
		s.stats.Failed += n
		// Discord showed nothing of it: the warnings it carried are still
		// untold. (An unconfirmed message may have been shown, so its
		// warnings are not repeated: its own lines are reported instead.)
		s.warn = s.warn.add(m.warn)
		if n > 0 {
			s.warn.failed += n
			s.warn.failedWhy = why
		}
	}
}

func (s *sender) accept(m *outMsg) {
	now := s.cfg.clock.Now().UnixNano()
	s.posts.push(now)
	s.recentPosts(now) // prune, to stay small
	s.stats.Posted += m.posted
	s.stats.Folded += m.folded
	s.stats.Messages++
	s.stats.CodeChars += m.code
	if m.file != nil {
		s.stats.Attachments++
	}
}

func (o outcome) String() string {
	switch o {
	case sent:
		return "sent"
	case limited:
		return "rate limited"
	case unsent:
		return "not reached"
	case refused:
		return "refused"
	case abandoned:
		return "abandoned at shutdown"
	default:
		return "unconfirmed"
	}
}
