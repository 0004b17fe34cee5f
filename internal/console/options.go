package console

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
)

// Defaults, chosen so that 100 busy relays fit in about 150 MB of memory.
const (
	DefaultMaxBytes     = 512 << 10
	DefaultFoldAfter    = 5 * time.Second
	DefaultPostTimeout  = 30 * time.Second
	DefaultDrainTimeout = 4 * time.Second
	// DefaultLinger spaces a busy console's partial messages one second
	// apart: Discord's usual 5 messages per 5 s per channel, kept steady.
	// Posting faster empties the bucket in a burst and then holds every
	// line for the rest of its window (seen: p99 3 s at 5 lines/s with
	// 500 ms); at this pace a line waits at most about a second.
	DefaultLinger = time.Second
	// DefaultFirstLinger is how long the first line after a quiet spell
	// waits for company: one message in five per 5 s spent on a lone line
	// costs a flood a tenth of its channel, and a quiet console's line is
	// still shown well within a second.
	DefaultFirstLinger = 150 * time.Millisecond
	// DefaultUploadBudget bounds the attachments uploaded at once by all
	// channels (see WithUploadBudget).
	DefaultUploadBudget = 32 << 20
	// DefaultSpillCap bounds one channel's spill file (64 MiB).
	DefaultSpillCap = 64 << 20
	// DefaultGlobalRate is the hub's pace across all channels, a little
	// under Discord's global 50 requests per second, leaving room for the
	// bot's other requests (interactions, command sync).
	DefaultGlobalRate = 45
)

// DefaultBackoff is the pause between tries of a channel whose messages
// fail: 1 s doubling to 5 min, so a channel Discord refuses (missing
// permission) costs a handful of invalid requests per hour, far from the
// 10,000 per 10 minutes that get the bot's IP banned. It has no jitter:
// the hub's global pace already spreads channels that retry together.
func DefaultBackoff() backoff.Policy { return backoff.Policy{Base: time.Second, Max: 5 * time.Minute} }

type config struct {
	maxBytes      int
	maxLines      int
	foldAfter     time.Duration
	maxAttachment int // 0: the guild's upload limit
	postTimeout   time.Duration
	drainTimeout  time.Duration
	linger        time.Duration
	firstLinger   time.Duration
	silent        bool
	dataDir       string // "" keeps everything in memory
	spillCap      int64
	uploadBudget  int64
	globalRate    float64
	backoff       backoff.Policy
	clock         clock.Clock
	log           *slog.Logger
}

func defaultConfig() config {
	return config{
		maxBytes: DefaultMaxBytes, foldAfter: DefaultFoldAfter, postTimeout: DefaultPostTimeout,
		drainTimeout: DefaultDrainTimeout, linger: DefaultLinger, firstLinger: -1,
		silent: true, spillCap: DefaultSpillCap, uploadBudget: DefaultUploadBudget, globalRate: DefaultGlobalRate, backoff: DefaultBackoff(),
		clock: clock.Real{}, log: slog.New(slog.DiscardHandler),
	}
}

// Option configures a Hub, and so every channel sender it creates.
type Option func(*config)

// WithMemoryCap bounds what one channel holds in memory, the message being
// uploaded included: past maxBytes of console text (each line also costs 48
// bytes of bookkeeping) or maxLines lines (0: no line cap), the oldest
// waiting lines go to the channel's spill file (see WithDataDir), or are
// dropped, and the channel told how many, when there is none. Default
// 512 KiB and no line cap; at least 64 KiB.
func WithMemoryCap(maxBytes, maxLines int) Option {
	return func(c *config) { c.maxBytes, c.maxLines = maxBytes, maxLines }
}

// WithDataDir makes a channel's overflow past the memory cap spill to a file
// under dir/relay (DATA_DIR) instead of being dropped; NewHub checks the
// directory is writable. Default: none, overflow is dropped.
func WithDataDir(dir string) Option { return func(c *config) { c.dataDir = dir } }

// WithSpillCap bounds one channel's spill file (RELAY_DISK_CAP_MB; default
// 64 MiB, at least 1 MiB). Past it, lines are dropped and the channel is
// told how many.
func WithSpillCap(bytes int64) Option { return func(c *config) { c.spillCap = bytes } }

// WithUploadBudget bounds the bytes of attachments all the hub's channels
// upload at once (default 32 MiB, at least 1 MiB): discordgo holds each
// upload whole in memory, and channels draining spilled backlogs take turns
// within the budget. An attachment larger than the budget waits for all of it.
func WithUploadBudget(bytes int64) Option { return func(c *config) { c.uploadBudget = bytes } }

// WithGlobalPace sets how many requests per second all the hub's channels
// send together (default 45, at most Discord's global 50).
func WithGlobalPace(perSecond float64) Option { return func(c *config) { c.globalRate = perSecond } }

// WithBackoff sets the pause between tries after a failure (default
// DefaultBackoff).
func WithBackoff(p backoff.Policy) Option { return func(c *config) { c.backoff = p } }

// WithFoldAfter sets how far the channel may lag behind the console before
// the backlog is folded into an attachment (default 5 s).
func WithFoldAfter(d time.Duration) Option { return func(c *config) { c.foldAfter = d } }

// WithMaxAttachment caps the .log file per message (16 KiB to 10 MiB); by
// default it is the guild's upload limit (10 MiB, more with boosts), less
// room for the message's JSON. A bigger backlog is split over several
// messages.
func WithMaxAttachment(n int) Option { return func(c *config) { c.maxAttachment = n } }

// WithPostTimeout bounds one request to Discord (default 30 s). It does not
// bound discordgo's wait for the channel's rate-limit bucket before the
// request, which ignores contexts; that wait lasts at most until the bucket
// resets, as Discord's headers say (5 s for messages).
func WithPostTimeout(d time.Duration) Option { return func(c *config) { c.postTimeout = d } }

// WithDrainTimeout bounds how long a sender keeps posting what it holds
// after its last relay stopped (default 4 s), plus at most one wait for the
// rate-limit bucket (see WithPostTimeout): under 10 s in all. What is still
// unposted then is counted as dropped and written to the log, since nobody
// is left to tell the channel.
func WithDrainTimeout(d time.Duration) Option { return func(c *config) { c.drainTimeout = d } }

// WithLinger sets how long after a post a message that is not full waits
// for more lines (default 1 s; 0 disables), so a burst is gathered into
// one message instead of spending the channel's rate-limit budget on a
// message per line. Full messages, command replies and warnings never wait.
func WithLinger(d time.Duration) Option { return func(c *config) { c.linger = d } }

// WithFirstLinger sets how long the first line after a quiet spell waits
// for more (default 150 ms, or the linger if shorter: WithLinger(0) turns
// both off; 0 posts it at once).
func WithFirstLinger(d time.Duration) Option { return func(c *config) { c.firstLinger = d } }

// WithSilent chooses whether pure console posts carry SUPPRESS_NOTIFICATIONS
// (default true): a busy console must not buzz everyone who follows the
// channel. Messages that carry a notice or warning always notify.
func WithSilent(silent bool) Option { return func(c *config) { c.silent = silent } }

// WithClock injects the clock, for tests.
func WithClock(clk clock.Clock) Option { return func(c *config) { c.clock = clk } }

// WithLogger sets the operator's log (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

func (c *config) validate() error {
	if c.firstLinger < 0 {
		c.firstLinger = min(DefaultFirstLinger, c.linger)
	}
	switch {
	case c.maxBytes < 64<<10 || c.maxBytes > 1<<30:
		return fmt.Errorf("console memory cap %d bytes: use between 64 KiB and 1 GiB (default 512 KiB)", c.maxBytes)
	case c.maxLines != 0 && (c.maxLines < 1000 || c.maxLines > 10_000_000):
		return fmt.Errorf("console line cap %d: use 0 (none) or between 1000 and 10,000,000", c.maxLines)
	case c.foldAfter < 100*time.Millisecond || c.foldAfter > time.Hour:
		return fmt.Errorf("console fold delay %s: use between 100ms and 1h (default 5s)", c.foldAfter)
	case c.maxAttachment != 0 && (c.maxAttachment < 16<<10 || c.maxAttachment > 10<<20):
		return fmt.Errorf("console attachment size %d bytes: use between 16 KiB and 10 MiB", c.maxAttachment)
	case c.postTimeout <= 0 || c.drainTimeout <= 0:
		return fmt.Errorf("console post and drain timeouts must be positive")
	case c.linger < 0 || c.linger > 5*time.Second || c.firstLinger < 0 || c.firstLinger > time.Second:
		return fmt.Errorf("console linger %s / first linger %s: use 0 to 5s and 0 to 1s", c.linger, c.firstLinger)
	case c.spillCap < 1<<20 || c.spillCap > 1<<40:
		return fmt.Errorf("console spill cap %d bytes (RELAY_DISK_CAP_MB): use at least 1 MiB", c.spillCap)
	case c.uploadBudget < 1<<20:
		return fmt.Errorf("console upload budget %d bytes: use at least 1 MiB (default 32 MiB)", c.uploadBudget)
	case c.globalRate < 1 || c.globalRate > 50:
		return fmt.Errorf("console global pace %g/s: use between 1 and Discord's 50", c.globalRate)
	case c.backoff.Base <= 0 || c.backoff.Max < c.backoff.Base:
		return fmt.Errorf("console backoff: base must be positive and max at least base")
	case c.clock == nil || c.log == nil:
		return fmt.Errorf("console clock and logger must not be nil")
	}
	return nil
}
