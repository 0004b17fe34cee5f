package wingssim

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
)

// defaultStart is the manual clock's start when no clock is given, fixed so
// that tests assert on the same Unix times whenever they run.
var defaultStart = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

type config struct {
	origin      string
	pelican     bool
	lifetime    time.Duration
	backlog     int
	start       time.Time
	clock       clock.Clock
	permissions []string
	stall       time.Duration
	maxSockets  int // 0: no cap
	statsEvery  time.Duration
	noFrameLog  bool
}

func defaultConfig() config {
	return config{
		origin: "https://panel.example.com", backlog: 150, permissions: []string{"*"},
		stall: 10 * time.Millisecond, statsEvery: time.Second, maxSockets: -1,
	}
}

// Option configures a Node.
type Option func(*config) error

// WithOrigin sets the panel URL the node is configured with; the websocket
// Origin header must equal it exactly (default "https://panel.example.com").
func WithOrigin(origin string) Option {
	return func(c *config) error {
		if !strings.HasPrefix(origin, "http://") && !strings.HasPrefix(origin, "https://") {
			return fmt.Errorf("origin %q must be an http(s) URL", origin)
		}
		c.origin = origin
		return nil
	}
}

// WithPelican makes the node Pelican's Wings instead of Pterodactyl's:
// per-connection rate limits, a 30-socket cap, a 4096-byte read limit,
// tokens that need scope "websocket" and last 15 minutes, 4409 on
// suspension, a dropped connection on deletion, "[pelican Daemon]" lines.
func WithPelican() Option {
	return func(c *config) error { c.pelican = true; return nil }
}

// WithTokenLifetime sets how long minted tokens last (default 10 minutes,
// Pelican 15). Tests make it short to drive many expiries quickly.
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Second {
			return fmt.Errorf("token lifetime %v is under the 1 s resolution of exp", d)
		}
		c.lifetime = d
		return nil
	}
}

// WithBacklog sets how many lines `send logs` replays (Wings default 150).
func WithBacklog(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("backlog %d must be at least 1", n)
		}
		c.backlog = n
		return nil
	}
}

// WithStart sets the start of the node's own manual clock. It cannot be
// combined with WithClock.
func WithStart(t time.Time) Option {
	return func(c *config) error { c.start = t; return nil }
}

// WithClock runs the node on c: a *manualclock.Clock shared with the client
// under test, or clock.Real{} for benchmarks and soak tests. Without it the
// node owns a manual clock starting at 2025-01-01 12:00 UTC, so that nothing
// timed happens unless the test calls Advance.
func WithClock(c clock.Clock) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("nil clock")
		}
		cfg.clock = c
		return nil
	}
}

// WithPermissions sets the permissions minted tokens carry (default ["*"],
// the server owner's; "*" does not grant admin.* permissions).
func WithPermissions(perms ...string) Option {
	return func(c *config) error { c.permissions = perms; return nil }
}

// WithStallTimeout sets how long, in real time, publishing a console line
// waits for room in a socket's 8-line buffer before it pushes out the
// oldest line (Wings: 10 ms). Tests that are not about stalls raise it so
// that a busy machine cannot lose lines.
func WithStallTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("stall timeout %v must be positive", d)
		}
		c.stall = d
		return nil
	}
}

// WithMaxSockets sets the per-server socket cap (Pelican: 30; Pterodactyl:
// none); 0 removes the cap.
func WithMaxSockets(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("max sockets %d must not be negative", n)
		}
		c.maxSockets = n
		return nil
	}
}

// WithStatsEvery sets the period of `stats` while a server runs, on the
// node's clock (default 1 s); 0 turns periodic stats off.
func WithStatsEvery(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("stats period must not be negative")
		}
		c.statsEvery = d
		return nil
	}
}

// finish fills the defaults that depend on other options.
func (c *config) finish() error {
	if c.clock != nil && !c.start.IsZero() {
		return errors.New("WithStart and WithClock exclude each other")
	}
	if c.lifetime == 0 {
		c.lifetime = 10 * time.Minute
		if c.pelican {
			c.lifetime = 15 * time.Minute
		}
	}
	if c.maxSockets < 0 {
		c.maxSockets = 0
		if c.pelican {
			c.maxSockets = 30
		}
	}
	return nil
}

// WithoutFrameLog stops recording each frame written (History's Sent), for
// long benchmarks whose memory must be the client's, not the recorder's.
func WithoutFrameLog() Option {
	return func(c *config) error {
		c.noFrameLog = true
		return nil
	}
}
