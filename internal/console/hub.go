package console

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Poster posts a message to a Discord channel. *discordgo.Session
// satisfies it; tests pass a function-field fake.
type Poster interface {
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
}

// Clock is the time the senders read and wait on, so the pacing and
// folding policy can be tested without sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Defaults, chosen so that 100 busy relays fit in about 150 MB.
const (
	DefaultMaxBytes      = 512 << 10
	DefaultFoldAfter     = 5 * time.Second
	DefaultMaxAttachment = 10<<20 - 64<<10 // Discord's 10 MiB, less room for the JSON part
	DefaultPostTimeout   = 30 * time.Second
	DefaultDrainTimeout  = 5 * time.Second
	DefaultLinger        = 500 * time.Millisecond
)

type config struct {
	maxBytes      int
	maxLines      int
	foldAfter     time.Duration
	maxAttachment int
	postTimeout   time.Duration
	drainTimeout  time.Duration
	linger        time.Duration
	silent        bool
	clock         Clock
	log           *slog.Logger
}

// Option configures a Hub, and so every channel sender it creates.
type Option func(*config)

// WithMemoryCap bounds what one channel holds, the message being uploaded
// included: past maxBytes of console text (each line also costs 48 bytes of
// bookkeeping) or maxLines lines (0: no line cap), the oldest waiting lines
// are dropped and the channel is told how many. A fold uploads at most half
// the cap at a time, so the queue keeps room for the newest lines. Default
// 512 KiB and no line cap; at least 64 KiB. Worst case per channel: the cap
// plus discordgo's copy of the upload (about half the cap, buffer growth
// included), so 100 flooded channels stay near 100 MB.
func WithMemoryCap(maxBytes, maxLines int) Option {
	return func(c *config) { c.maxBytes, c.maxLines = maxBytes, maxLines }
}

// WithFoldAfter sets how far the channel may lag behind the console before
// the backlog is folded into an attachment (default 5 s).
func WithFoldAfter(d time.Duration) Option { return func(c *config) { c.foldAfter = d } }

// WithMaxAttachment sets the largest .log file per message (default just
// under Discord's 10 MiB); a bigger backlog is split over several messages.
func WithMaxAttachment(n int) Option { return func(c *config) { c.maxAttachment = n } }

// WithPostTimeout bounds one request to Discord (default 30 s). It does not
// bound discordgo's wait for the channel's rate-limit bucket before the
// request, which ignores contexts; that wait lasts at most until the bucket
// resets, as Discord's headers say.
func WithPostTimeout(d time.Duration) Option { return func(c *config) { c.postTimeout = d } }

// WithDrainTimeout bounds how long a sender keeps posting what it holds
// after its last relay stopped (default 5 s), plus at most one wait for the
// rate-limit bucket (see WithPostTimeout). What is still unposted then is
// counted as dropped and written to the log, since nobody is left to tell
// the channel.
func WithDrainTimeout(d time.Duration) Option { return func(c *config) { c.drainTimeout = d } }

// WithLinger sets how long after a post a message that is not full waits
// for more lines (default 500 ms; 0 disables). A channel that was quiet for
// that long posts a new line at once; one that was just posted to gathers a
// burst into one message instead of spending its rate-limit budget on a
// message per line. Full messages, command replies and warnings never wait.
func WithLinger(d time.Duration) Option { return func(c *config) { c.linger = d } }

// WithSilent chooses whether pure console posts carry SUPPRESS_NOTIFICATIONS
// (default true): a busy console must not buzz everyone who follows the
// channel. Messages that carry a notice or warning always notify.
func WithSilent(silent bool) Option { return func(c *config) { c.silent = silent } }

// WithClock injects the clock, for tests.
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// WithLogger sets the operator's log (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

func (c *config) validate() error {
	switch {
	case c.maxBytes < 64<<10 || c.maxBytes > 1<<30:
		return fmt.Errorf("console memory cap %d bytes: use between 64 KiB and 1 GiB (default 512 KiB)", c.maxBytes)
	case c.maxLines != 0 && (c.maxLines < 1000 || c.maxLines > 10_000_000):
		return fmt.Errorf("console line cap %d: use 0 (none) or between 1000 and 10,000,000", c.maxLines)
	case c.foldAfter < 100*time.Millisecond || c.foldAfter > time.Hour:
		return fmt.Errorf("console fold delay %s: use between 100ms and 1h (default 5s)", c.foldAfter)
	case c.maxAttachment < 16<<10 || c.maxAttachment > 10<<20:
		return fmt.Errorf("console attachment size %d bytes: use between 16 KiB and 10 MiB", c.maxAttachment)
	case c.postTimeout <= 0 || c.drainTimeout <= 0:
		return fmt.Errorf("console post and drain timeouts must be positive")
	case c.linger < 0 || c.linger > 5*time.Second:
		return fmt.Errorf("console linger %s: use between 0 and 5s (default 500ms)", c.linger)
	case c.clock == nil || c.log == nil:
		return fmt.Errorf("console clock and logger must not be nil")
	}
	return nil
}

// Hub owns one sender per Discord channel, so that relays aimed at the same
// channel share its pace and its memory cap instead of racing each other
// into 429s. A channel's sender starts with its first running relay and
// drains and stops after its last.
type Hub struct {
	post Poster
	cfg  config

	mu       sync.Mutex
	senders  map[string]*hubEntry
	draining map[*sender]bool // released, still posting what they hold
	done     map[string]Stats // totals of senders that have stopped
	wg       sync.WaitGroup
}

type hubEntry struct {
	s      *sender
	refs   int
	cancel context.CancelFunc
}

// NewHub returns a hub posting through p (usually the bot's
// *discordgo.Session).
func NewHub(p Poster, opts ...Option) (*Hub, error) {
	if p == nil {
		return nil, fmt.Errorf("console hub: no Discord session given")
	}
	cfg := config{
		maxBytes: DefaultMaxBytes, foldAfter: DefaultFoldAfter, maxAttachment: DefaultMaxAttachment,
		postTimeout: DefaultPostTimeout, drainTimeout: DefaultDrainTimeout, linger: DefaultLinger,
		silent: true, clock: realClock{}, log: slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Hub{post: p, cfg: cfg, senders: make(map[string]*hubEntry), draining: make(map[*sender]bool),
		done: make(map[string]Stats)}, nil
}

// Stats reports what the channel's senders did so far, across restarts.
func (h *Hub) Stats(channelID string) Stats {
	h.mu.Lock()
	st := h.done[channelID]
	live := make([]*sender, 0, 2)
	if e := h.senders[channelID]; e != nil {
		live = append(live, e.s)
	}
	for s := range h.draining {
		if s.channelID == channelID {
			live = append(live, s)
		}
	}
	h.mu.Unlock()
	for _, s := range live {
		st = st.Add(s.Stats())
	}
	return st
}

// Wait blocks until every sender has drained and stopped, for a clean
// shutdown after the relays' contexts are cancelled.
func (h *Hub) Wait() { h.wg.Wait() }

// acquire returns the channel's sender, starting it if needed.
func (h *Hub) acquire(channelID string) *sender {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.senders[channelID]
	if e == nil {
		// The sender's life is counted by its relays, not by one caller's
		// context: release cancels it when the last relay leaves.
		ctx, cancel := context.WithCancel(context.Background())
		e = &hubEntry{s: newSender(channelID, h.post, &h.cfg), cancel: cancel}
		h.senders[channelID] = e
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			e.s.run(ctx)
			h.retire(e.s)
		}()
	}
	e.refs++
	return e.s
}

// release gives the sender back; the last release makes it drain and stop.
func (h *Hub) release(s *sender) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.senders[s.channelID]
	if e == nil || e.s != s {
		return
	}
	if e.refs--; e.refs == 0 {
		delete(h.senders, s.channelID)
		h.draining[s] = true
		e.cancel()
	}
}

func (h *Hub) retire(s *sender) {
	h.mu.Lock()
	delete(h.draining, s)
	h.done[s.channelID] = h.done[s.channelID].Add(s.Stats())
	h.mu.Unlock()
}
