// Package wings streams a game server's live console from its node's
// websocket (Wings, used by Pterodactyl and Pelican) as a console.Source.
//
// It follows what running nodes do (wings-websocket.md §9): one goroutine
// owns each connection's state (token, authentication, replay) and a reader
// and a writer goroutine only move frames; nothing but `auth` is sent before
// `auth success`; the token is renewed on the same socket a little before
// the `exp` it carries (the node's `token expiring` and its silent
// `jwt error` flood are fall-backs); after a reconnect the node's replay is
// aligned with what was already relayed (internal/console/replay); auth
// errors are read after Wings' "Error Event [<uuid>]: " prefix. Failures that
// cannot heal (suspended server, credentials refused, server gone, Origin
// refused) end the stream with a notice that says so.
package wings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/panel"
)

// Credentialer fetches websocket credentials for a server; the Pterodactyl
// client implements it (panel.SocketCredentialer).
type Credentialer interface {
	SocketCredentials(ctx context.Context, id string) (panel.SocketCredentials, error)
}

// Defaults.
const (
	defaultBacklog     = 150
	defaultHold        = 750 * time.Millisecond
	defaultAuthTimeout = 15 * time.Second
	handshakeTimeout   = 15 * time.Second
	// nodeFrameLimit is Pelican's inbound frame limit; a bigger frame would
	// make it close the socket.
	nodeFrameLimit = 4096
)

// Stream is one server's console stream. Its Stream method may run once at a
// time; Send may be called concurrently with it.
type Stream struct {
	creds       Credentialer
	serverID    string
	origin      string
	clock       clock.Clock
	backoff     backoff.Policy
	dialer      *websocket.Dialer
	log         *slog.Logger
	backlog     int
	hold        time.Duration
	authTimeout time.Duration
	seed        []string

	running atomic.Bool
	tok     *tokenCache
	cmdLim  *rate.Limiter
	cur     atomic.Pointer[session] // the authenticated session Send uses
}

var _ console.Source = (*Stream)(nil)

// Option configures a Stream.
type Option func(*Stream) error

// WithClock sets the time source of token renewal, rate limits, backoff and
// the replay hold (default: the real clock). Network timeouts (handshake,
// writes, the answer to auth) stay in real time: they wait on sockets.
func WithClock(c clock.Clock) Option {
	return func(s *Stream) error {
		if c == nil {
			return errors.New("clock must not be nil")
		}
		s.clock = c
		return nil
	}
}

// WithBackoff sets the reconnect backoff (default backoff.Default). A
// session that reached the node's stream resets it.
func WithBackoff(p backoff.Policy) Option {
	return func(s *Stream) error {
		if p.Base <= 0 || p.Max < p.Base {
			return errors.New("backoff needs 0 < Base ≤ Max")
		}
		s.backoff = p
		return nil
	}
}

// WithDialer sets the websocket dialer; give it a HandshakeTimeout.
func WithDialer(d *websocket.Dialer) Option {
	return func(s *Stream) error {
		if d == nil || d.HandshakeTimeout <= 0 {
			return errors.New("dialer must be set and have a HandshakeTimeout")
		}
		s.dialer = d
		return nil
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(s *Stream) error {
		if l == nil {
			return errors.New("logger must not be nil")
		}
		s.log = l
		return nil
	}
}

// WithBacklog sets how many lines the node replays on `send logs` (Wings'
// websocket_log_count, default 150).
func WithBacklog(n int) Option {
	return func(s *Stream) error {
		if n < 1 || n > 10000 {
			return fmt.Errorf("backlog %d must be between 1 and 10000", n)
		}
		s.backlog = n
		return nil
	}
}

// WithHold sets how long lines are held, after asking for a replay, for
// the replay to arrive (default 750 ms on the stream's clock; at most 2 s).
func WithHold(d time.Duration) Option {
	return func(s *Stream) error {
		if d <= 0 || d > 2*time.Second {
			return errors.New("replay hold must be between 0 and 2s")
		}
		s.hold = d
		return nil
	}
}

// WithAuthTimeout sets how long to wait for the node to answer `auth`
// before reconnecting (default 15 s, real time).
func WithAuthTimeout(d time.Duration) Option {
	return func(s *Stream) error {
		if d <= 0 {
			return errors.New("auth timeout must be positive")
		}
		s.authTimeout = d
		return nil
	}
}

// WithTail gives the lines relayed before the bot restarted (kept in its
// store), oldest first: the first connection then asks the node for its
// replay and relays only what is new.
func WithTail(lines []string) Option {
	return func(s *Stream) error {
		s.seed = append([]string(nil), lines...)
		return nil
	}
}

// New makes the console stream of one server. origin is the panel URL: the
// node refuses sockets whose Origin header is not the panel's.
func New(creds Credentialer, serverID string, origin string, opts ...Option) (*Stream, error) {
	if creds == nil {
		return nil, errors.New("wings: credentialer must not be nil")
	}
	if strings.TrimSpace(serverID) == "" {
		return nil, errors.New("wings: server id must not be empty")
	}
	o, err := originOf(origin)
	if err != nil {
		return nil, err
	}
	s := &Stream{
		creds: creds, serverID: serverID, origin: o, clock: clock.Real{}, backoff: backoff.Default,
		dialer:  &websocket.Dialer{HandshakeTimeout: handshakeTimeout, Proxy: http.ProxyFromEnvironment},
		log:     slog.Default(),
		backlog: defaultBacklog, hold: defaultHold, authTimeout: defaultAuthTimeout,
	}
	for _, opt := range opts {
		if err := opt(s); err != nil {
			return nil, fmt.Errorf("wings: %w", err)
		}
	}
	s.log = s.log.With("server", serverID)
	s.tok = newTokenCache(creds, serverID, s.clock)
	s.cmdLim = rate.NewLimiter(rate.Every(time.Second*5/4), 9) // the node's 1/s burst 10, with headroom
	return s, nil
}

// originOf reduces the panel URL to what a browser sends as Origin:
// scheme://host[:port], no path, no trailing slash.
func originOf(panelURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(panelURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("wings: the panel URL must look like https://panel.example.com")
	}
	return u.Scheme + "://" + u.Host, nil
}

// Send types a console command on the server through the open socket,
// within the node's command rate limit (waiting for a slot, as long as ctx
// allows). It returns once the command is queued for the socket; the node
// does not acknowledge commands.
func (s *Stream) Send(ctx context.Context, command string) error {
	if err := panel.ValidateCommand(command, panel.MaxCommandRunes); err != nil {
		return err
	}
	op := "console command on " + s.serverID
	if len(encodeFrame("send command", command)) > nodeFrameLimit {
		return &panel.Error{Class: panel.ErrInvalid, Op: op, Message: "The command is too long for the node: shorten it."}
	}
	ss := s.cur.Load()
	if ss == nil {
		return errNotConnected(op)
	}
	if err := waitLimit(ctx, s.clock, s.cmdLim); err != nil {
		return &panel.Error{Class: panel.ErrRateLimited, Op: op, Err: err}
	}
	return ss.command(ctx, op, command)
}

func errNotConnected(op string) error {
	return &panel.Error{Class: panel.ErrUnavailable, Op: op, Message: "The live console is not connected right now. Try again in a moment."}
}
