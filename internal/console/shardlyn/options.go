package shardlyn

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gorilla/websocket"
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

// WithQueueSize bounds the lines waiting between a connection's reader and
// the consumer (default 1024); beyond it the oldest are dropped and counted.
func WithQueueSize(n int) Option {
	return func(s *Source) error {
		if n < 1 {
			return errors.New("the queue size must be at least 1")
		}
		s.queue = n
		return nil
	}
}

// WithTail sets how many delivered lines are remembered to recognise a
// replay after a reconnect (default 500).
func WithTail(n int) Option {
	return func(s *Source) error {
		if n < 1 {
			return errors.New("the tail must be at least 1")
		}
		s.tail = n
		return nil
	}
}

// WithQuiet sets how long lines that look like a replay are held when
// nothing follows them (default 2 s), and the timer that measures it.
func WithQuiet(d time.Duration, after func(time.Duration) <-chan time.Time) Option {
	return func(s *Source) error {
		if d <= 0 || after == nil {
			return errors.New("the quiet wait needs a positive duration and a timer")
		}
		s.quiet, s.after = d, after
		return nil
	}
}

// WithBackoff sets the pause before reconnect attempt n (default Backoff(1s, 30s)).
func WithBackoff(f func(attempt int) time.Duration) Option {
	return func(s *Source) error {
		if f == nil {
			return errors.New("the backoff is nil")
		}
		s.backoff = f
		return nil
	}
}

// WithSleep sets how reconnect pauses are waited, so tests need not wait.
func WithSleep(f func(ctx context.Context, d time.Duration) error) Option {
	return func(s *Source) error {
		if f == nil {
			return errors.New("the sleep function is nil")
		}
		s.sleep = f
		return nil
	}
}

// WithClock sets the clock that stamps events.
func WithClock(now func() time.Time) Option {
	return func(s *Source) error {
		if now == nil {
			return errors.New("the clock is nil")
		}
		s.now = now
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
