package shardlynlog

import (
	"errors"
	"log/slog"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
)

// Option configures a Source; New rejects invalid values.
type Option func(*Source) error

// WithDialer replaces the websocket dialer (proxy, TLS, handshake timeout).
func WithDialer(d *websocket.Dialer) Option {
	return func(s *Source) error {
		if d == nil {
			return errors.New("the dialer is nil")
		}
		s.dialer = d
		return nil
	}
}

// WithWindow sets the most lines a replay is aligned over, and so the
// most of the history read to fill a gap (default 150).
func WithWindow(n int) Option {
	return func(s *Source) error {
		if n < 1 || n > 10000 {
			return errors.New("the window must be between 1 and 10000 lines")
		}
		s.window = n
		return nil
	}
}

// WithHold sets how long a new connection's first lines are held for its
// replay to come in (default 750 ms, real time: it waits on a socket).
func WithHold(d time.Duration) Option {
	return func(s *Source) error {
		if d <= 0 || d > 5*time.Second {
			return errors.New("the hold must be between 0 and 5s")
		}
		s.hold = d
		return nil
	}
}

// WithBackoff sets the pause before each reconnect attempt (default 1 s
// doubling to 30 s, with jitter). A connection that received lines resets it.
func WithBackoff(p backoff.Policy) Option {
	return func(s *Source) error {
		if p.Base <= 0 || p.Max < p.Base {
			return errors.New("the backoff needs 0 < Base ≤ Max")
		}
		s.backoff = p
		return nil
	}
}

// WithClock sets the clock the reconnect pauses wait on (default: real).
func WithClock(c clock.Clock) Option {
	return func(s *Source) error {
		if c == nil {
			return errors.New("the clock is nil")
		}
		s.clock = c
		return nil
	}
}

// WithLogger sets where connection ends are logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *Source) error {
		if l == nil {
			return errors.New("the logger is nil")
		}
		s.log = l
		return nil
	}
}
