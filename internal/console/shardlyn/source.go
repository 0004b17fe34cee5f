// Package shardlyn streams a Shardlyn instance's live console into the
// relay: it reads the instance's log websocket (GET /v1/instances/{id}/logs,
// authenticated with the bearer access token like every JWT endpoint),
// reconnects with a fresh token when the old one expires or the connection
// drops, and never delivers a line twice when a new connection replays
// history. See frameLines for how frames become lines.
package shardlyn

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/console"
	api "github.com/panelbot/panelbot/internal/panel/shardlyn"
)

// Defaults, each overridable by an Option.
const (
	defaultQueue     = 1024 // lines between the reader and the consumer
	defaultTail      = 500  // delivered lines remembered to recognise a replay
	defaultQuiet     = 2 * time.Second
	defaultBaseDelay = time.Second
	defaultMaxDelay  = 30 * time.Second
	handshakeTimeout = 10 * time.Second
)

// Socketer is what the source needs from the Shardlyn client;
// *shardlyn.Client (internal/panel/shardlyn) implements it.
type Socketer interface {
	// LogSocket gives the websocket's address with a fresh credential.
	LogSocket(ctx context.Context, id string) (api.Socket, error)
	// SocketRefused drops a credential the socket refused or expired.
	SocketRefused(s api.Socket)
	// SocketRenewable tells whether a refused credential can be replaced.
	SocketRenewable() bool
}

// Source streams one instance's console. It implements console.Source.
type Source struct {
	sock    Socketer
	id      string
	dialer  *websocket.Dialer
	queue   int
	tail    int
	quiet   time.Duration
	backoff func(attempt int) time.Duration
	sleep   func(ctx context.Context, d time.Duration) error
	after   func(d time.Duration) <-chan time.Time
	now     func() time.Time
	ping    time.Duration
	log     *slog.Logger
}

var _ console.Source = (*Source)(nil)

// New returns a source for one instance; nothing is dialled until Stream.
func New(sock Socketer, instanceID string, opts ...Option) (*Source, error) {
	if sock == nil || instanceID == "" {
		return nil, errors.New("shardlyn console: a client and an instance id are required")
	}
	s := &Source{
		sock: sock, id: instanceID, queue: defaultQueue, tail: defaultTail, quiet: defaultQuiet,
		backoff: Backoff(defaultBaseDelay, defaultMaxDelay), sleep: sleepCtx, after: time.After,
		now: time.Now, ping: pingPeriod, log: slog.New(slog.DiscardHandler),
		dialer: &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: handshakeTimeout},
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, errors.New("shardlyn console: " + err.Error())
		}
	}
	return s, nil
}

// Backoff is capped exponential backoff with jitter: attempt 0 waits about
// base, each further attempt doubles it up to max, and the wait is drawn
// from its upper half so that many bots do not reconnect in step.
func Backoff(base, max time.Duration) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		d := max
		if attempt < 30 && base<<attempt < max {
			d = base << attempt
		}
		return d/2 + rand.N(d/2+1)
	}
}

// streamState is what outlives one connection within a Stream.
type streamState struct {
	dedupe    *dedupe
	outage    bool // a "lost the connection" notice is standing
	connected bool // some connection has ever succeeded
	refusals  int  // handshakes refused in a row for the credential
}

// Stream relays the console until ctx ends or a permanent failure, which
// it announces with a KindNotice and returns.
func (s *Source) Stream(ctx context.Context, sink console.Sink) error {
	st := &streamState{dedupe: newDedupe(s.tail)}
	for attempt := 0; ; {
		o := s.session(ctx, sink, st)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if o.permanent {
			_ = s.notice(ctx, sink, o.notice)
			return o.err
		}
		s.log.Info("shardlyn console connection ended", "instance", s.id, "err", o.err, "renew", o.renew)
		if o.delivered {
			attempt = 0
		}
		if o.renew && attempt == 0 {
			attempt++ // the token expired: reconnect at once, but only once in a row
			continue
		}
		if err := s.lost(ctx, sink, st); err != nil {
			return err
		}
		if err := s.sleep(ctx, s.backoff(attempt)); err != nil {
			return err
		}
		attempt++
	}
}

// lost tells the channel once per outage that the console is reconnecting.
func (s *Source) lost(ctx context.Context, sink console.Sink, st *streamState) error {
	if st.outage {
		return nil
	}
	st.outage = true
	msg := "Lost the connection to the Shardlyn console; reconnecting."
	if !st.connected {
		msg = "Cannot reach the Shardlyn console yet; retrying."
	}
	return s.notice(ctx, sink, msg)
}

func (s *Source) notice(ctx context.Context, sink console.Sink, text string) error {
	sink.Notice(text)
	return ctx.Err()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
