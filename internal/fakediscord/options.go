package fakediscord

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/manualclock"
)

// Gateway intents the fake treats specially (Discord's bit values).
const (
	IntentGuilds         = 1 << 0
	IntentGuildMembers   = 1 << 1 // privileged
	IntentGuildPresences = 1 << 8 // privileged
	IntentGuildMessages  = 1 << 9
	IntentDirectMessages = 1 << 12
	IntentMessageContent = 1 << 15 // privileged
	privilegedIntents    = IntentGuildMembers | IntentGuildPresences | IntentMessageContent
	validIntents         = (1<<22 - 1) | 1<<24 | 1<<25
)

var snowflakeRE = regexp.MustCompile(`^[0-9]{1,20}$`)

// config is what the options build; New validates it once.
type config struct {
	token         string
	appID         string
	botUserID     string
	botName       string
	heartbeat     time.Duration
	clock         clock.Clock
	guilds        []string
	channels      map[string]string
	msgLimit      int
	msgWindow     time.Duration
	privileged    int64
	defaultLimit  int
	defaultWindow time.Duration
	refusePings   bool
	pingRole      string // the one role WithPingsRefused lets a message name
	globalLimit   int
	globalWindow  time.Duration
	tiers         map[string]int // guild ID -> boost tier
	noBodies      bool
}

// Option changes one setting of New; a bad value fails the test.
type Option func(*config) error

func newConfig(opts []Option) (config, error) {
	cfg := config{
		token:         "fake.bot.token-0123456789",
		appID:         "1100000000000000001",
		botName:       "panelbot",
		heartbeat:     45 * time.Second,
		clock:         clock.Real{},
		channels:      map[string]string{},
		msgLimit:      5,
		msgWindow:     5 * time.Second,
		defaultLimit:  50,
		defaultWindow: time.Second,
		globalLimit:   50,
		globalWindow:  time.Second,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return cfg, err
		}
	}
	if cfg.botUserID == "" {
		// Discord gives a new application's bot user the application's ID.
		cfg.botUserID = cfg.appID
	}
	return cfg, nil
}

// WithToken sets the bot token the fake accepts ("Bot " is added by clients).
func WithToken(token string) Option {
	return func(c *config) error {
		if token == "" || strings.ContainsAny(token, " \t\r\n") {
			return errors.New("WithToken: give the bare token: non-empty, no spaces, no \"Bot \" prefix")
		}
		c.token = token
		return nil
	}
}

// WithAppID sets the application ID (and the bot user ID unless WithBotUser).
func WithAppID(id string) Option {
	return func(c *config) error {
		if !snowflakeRE.MatchString(id) {
			return fmt.Errorf("WithAppID: %q is not a snowflake (digits only)", id)
		}
		c.appID = id
		return nil
	}
}

// WithBotUser sets the bot user's ID and name when they must differ from
// the defaults (ID = application ID, name "panelbot").
func WithBotUser(id, name string) Option {
	return func(c *config) error {
		if !snowflakeRE.MatchString(id) || name == "" {
			return fmt.Errorf("WithBotUser: need a snowflake ID and a name, got %q %q", id, name)
		}
		c.botUserID, c.botName = id, name
		return nil
	}
}

// WithHeartbeatInterval sets the interval sent in HELLO (default 45s).
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Millisecond {
			return fmt.Errorf("WithHeartbeatInterval: %v is below 1ms", d)
		}
		c.heartbeat = d
		return nil
	}
}

// WithClock injects the clock behind interaction deadlines, token expiry,
// rate-limit windows and snowflakes, so tests can jump time (see Clock);
// the default is the wall clock.
func WithClock(clk clock.Clock) Option {
	return func(c *config) error {
		if clk == nil {
			return errors.New("WithClock: nil clock")
		}
		c.clock = clk
		return nil
	}
}

// WithGuild puts the bot in a guild; READY lists it and guild commands and
// interactions are refused for guilds the bot is not in.
func WithGuild(id string) Option {
	return func(c *config) error {
		if !snowflakeRE.MatchString(id) {
			return fmt.Errorf("WithGuild: %q is not a snowflake", id)
		}
		c.guilds = append(c.guilds, id)
		return nil
	}
}

// WithChannel makes a channel exist in a guild (guildID "" for a DM), so
// the bot may post there; the guild is joined too.
func WithChannel(guildID, channelID string) Option {
	return func(c *config) error {
		if !snowflakeRE.MatchString(channelID) || (guildID != "" && !snowflakeRE.MatchString(guildID)) {
			return fmt.Errorf("WithChannel: %q/%q are not snowflakes", guildID, channelID)
		}
		c.channels[channelID] = guildID
		return nil
	}
}

// WithChannelBucket sets the per-channel message-create rate limit
// (default Discord's usual 5 per 5 seconds).
func WithChannelBucket(limit int, window time.Duration) Option {
	return func(c *config) error {
		if limit < 1 || window <= 0 {
			return fmt.Errorf("WithChannelBucket: need limit >= 1 and window > 0, got %d/%v", limit, window)
		}
		c.msgLimit, c.msgWindow = limit, window
		return nil
	}
}

// WithGlobalLimit sets the global rate limit over every authenticated
// route together (default Discord's 50 requests per second).
func WithGlobalLimit(limit int, window time.Duration) Option {
	return func(c *config) error {
		if limit < 1 || window <= 0 {
			return fmt.Errorf("WithGlobalLimit: need limit >= 1 and window > 0, got %d/%v", limit, window)
		}
		c.globalLimit, c.globalWindow = limit, window
		return nil
	}
}

// WithPrivilegedIntents switches on privileged intents as the developer
// portal would (IntentMessageContent etc.). By default none are on, and an
// IDENTIFY asking for one is closed with 4014 Disallowed intent(s).
func WithPrivilegedIntents(mask int64) Option {
	return func(c *config) error {
		if mask&^privilegedIntents != 0 {
			return fmt.Errorf("WithPrivilegedIntents: %#x has non-privileged bits", mask)
		}
		c.privileged = mask
		return nil
	}
}

// WithPingsRefused makes every message the bot sends, creates and edits
// alike, carry allowed_mentions that ping nobody ({"parse": []}, no users,
// roles or replied user); anything else is refused with a 400 naming
// allowed_mentions. Discord itself accepts such messages and pings whoever
// the text names: this option holds a bot that must never ping to that on
// every path, follow-ups, edits and audit posts included.
func WithPingsRefused() Option {
	return func(c *config) error {
		c.refusePings = true
		return nil
	}
}

// WithRoleMentionAllowed relaxes WithPingsRefused by exactly one role: a
// message whose allowed_mentions is {"parse": [], "roles": [roleID]} (no
// users, no replied user) is accepted too, as the bot's alerts send. Any
// other role, a user, or a parse entry is still refused.
func WithRoleMentionAllowed(roleID string) Option {
	return func(c *config) error {
		if roleID == "" {
			return fmt.Errorf("WithRoleMentionAllowed: empty role ID")
		}
		c.pingRole = roleID
		return nil
	}
}

// Clock is a hand-driven clock for WithClock: time moves only on Advance.
type Clock = manualclock.Clock

// NewClock starts a Clock at start; pass it to WithClock.
func NewClock(start time.Time) *Clock { return manualclock.New(start) }

// WithoutBodies keeps what the bot sent only as metadata (route, status,
// time, message ids, file names), and only the newest 1000 messages:
// bodies, contents and file data are checked, then forgotten. For long
// benchmarks, whose memory must be the bot's, not the recorder's.
func WithoutBodies() Option {
	return func(c *config) error {
		c.noBodies = true
		return nil
	}
}
