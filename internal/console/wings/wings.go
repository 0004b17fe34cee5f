// Package wings streams a game server's live console from its node's
// websocket (Wings, used by Pterodactyl and Pelican) as a console.Source.
//
// A Stream follows what real nodes do rather than what guides say: the token
// is cached and reused until close to expiry (Pelican allows 5 credential
// fetches a minute), re-authentication happens on the same socket, a silent
// `jwt error` flood after expiry is treated as "refresh now", the 150-line
// replay the node sends after each (re)connection is deduplicated against
// what was already relayed (see align.go), the node's inbound rate limits
// are never exceeded, and the socket's single reader never waits on the
// relay. Failures that cannot heal (suspended server, credentials refused,
// server gone, Origin refused) end the stream with a notice that says so.
package wings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/panel"
)

// Credentialer fetches websocket credentials for a server; the Pterodactyl
// client implements it (panel.SocketCredentialer).
type Credentialer interface {
	SocketCredentials(ctx context.Context, id string) (panel.SocketCredentials, error)
}

// Clock is the stream's time source. Token expiry, rate limits and backoff
// all read it, so tests can share a simulated node's clock
// (wingssim.Node implements Clock). Network timeouts (handshake, writes,
// waiting for `auth success`, the replay's settle time) stay in real time.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// realClock is the wall clock, the default.
type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Defaults.
const (
	defaultQueue       = 1024
	defaultBacklog     = 150
	defaultAuthTimeout = 15 * time.Second
	defaultSettle      = 750 * time.Millisecond
	handshakeTimeout   = 15 * time.Second
	// healthyAfter is how long a session must last for the backoff to reset.
	healthyAfter = time.Minute
	// fetchTimeout bounds one credentials request.
	fetchTimeout = 30 * time.Second
	// slack is the most live lines expected ahead of a replay.
	slack = 16
	// nodeFrameLimit is the node's inbound frame limit; a bigger frame would
	// make it close the socket.
	nodeFrameLimit = 4096
)

// Stream is one server's console stream. Its Stream method may run once at a
// time; Send and Latest may be called concurrently with it.
type Stream struct {
	creds       Credentialer
	serverID    string
	origin      string
	clock       Clock
	backoff     func(attempt int) time.Duration
	dialer      *websocket.Dialer
	log         *slog.Logger
	queueSize   int
	backlog     int
	authTimeout time.Duration
	settle      time.Duration

	running atomic.Bool
	tok     *tokenCache
	cmdLim  *rate.Limiter

	mu         sync.Mutex
	cur        *conn
	state      panel.State
	latest     panel.Resources
	latestAt   time.Time
	haveLatest bool
}

var _ console.Source = (*Stream)(nil)

// Option configures a Stream.
type Option func(*Stream) error

// WithClock sets the time source (default: the real clock).
func WithClock(c Clock) Option {
	return func(s *Stream) error {
		if c == nil {
			return errors.New("clock must not be nil")
		}
		s.clock = c
		return nil
	}
}

// WithBackoff sets the wait before reconnect attempt n (0-based; reset after
// a healthy session). Default: 1 s doubling to 2 min, with jitter.
func WithBackoff(f func(attempt int) time.Duration) Option {
	return func(s *Stream) error {
		if f == nil {
			return errors.New("backoff must not be nil")
		}
		s.backoff = f
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

// WithQueueSize sets how many events may wait for a slow relay before the
// oldest lines are dropped (default 1024).
func WithQueueSize(n int) Option {
	return func(s *Stream) error {
		if n < 16 {
			return fmt.Errorf("queue size %d is too small: use at least 16", n)
		}
		s.queueSize = n
		return nil
	}
}

// WithBacklog sets how many lines the node replays on `send logs` (Wings'
// websocket_log_count, default 150), the window of the deduplication.
func WithBacklog(n int) Option {
	return func(s *Stream) error {
		if n < 1 || n > 10000 {
			return fmt.Errorf("backlog %d must be between 1 and 10000", n)
		}
		s.backlog = n
		return nil
	}
}

// WithAuthTimeout sets how long to wait for `auth success` before
// reconnecting (default 15 s, real time).
func WithAuthTimeout(d time.Duration) Option {
	return func(s *Stream) error {
		if d <= 0 {
			return errors.New("auth timeout must be positive")
		}
		s.authTimeout = d
		return nil
	}
}

// WithSettle sets how long the replay may pause before it is taken as
// complete (default 750 ms, real time).
func WithSettle(d time.Duration) Option {
	return func(s *Stream) error {
		if d <= 0 {
			return errors.New("settle time must be positive")
		}
		s.settle = d
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
		creds: creds, serverID: serverID, origin: o, clock: realClock{}, backoff: DefaultBackoff,
		dialer:    &websocket.Dialer{HandshakeTimeout: handshakeTimeout, Proxy: http.ProxyFromEnvironment},
		log:       slog.Default(),
		queueSize: defaultQueue, backlog: defaultBacklog, authTimeout: defaultAuthTimeout, settle: defaultSettle,
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
		return "", fmt.Errorf("wings: panel URL %q must look like https://panel.example.com", panelURL)
	}
	return u.Scheme + "://" + u.Host, nil
}

// DefaultBackoff waits 1 s before the first reconnect, doubling up to 2
// minutes, each wait shortened at random by up to half so that many relays
// cut off together do not return together.
func DefaultBackoff(attempt int) time.Duration {
	d := 2 * time.Minute
	if attempt < 7 {
		d = min(d, time.Second<<attempt)
	}
	return d/2 + rand.N(d/2+1)
}

// Latest is the most recent resource snapshot from the node's `stats`
// (with the state kept current by `status`), for the status command; false
// before the first one.
func (s *Stream) Latest() (panel.Resources, time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latest, s.latestAt, s.haveLatest
}

// Send types a console command on the server through the open socket,
// within the node's command rate limit (waiting for a slot, as long as ctx
// allows). It returns once the command is queued for the socket; the node
// does not acknowledge commands.
func (s *Stream) Send(ctx context.Context, command string) error {
	op := "console command on " + s.serverID
	if err := validCommand(command); err != nil {
		return &panel.Error{Kind: panel.ErrInvalid, Op: op, Detail: err.Error()}
	}
	s.mu.Lock()
	c, state := s.cur, s.state
	s.mu.Unlock()
	switch {
	case c == nil:
		return &panel.Error{Kind: panel.ErrUnavailable, Op: op, Message: "The live console is not connected right now. Try again in a moment."}
	case state == panel.StateOffline:
		return &panel.Error{Kind: panel.ErrOffline, Op: op}
	case c.lost.Load():
		// The node is answering with jwt errors until the re-auth lands: it
		// would drop the command without a word, and the admin would see ✅.
		return &panel.Error{Kind: panel.ErrUnavailable, Op: op, Message: "The live console is renewing its access to the node. Try again in a moment."}
	}
	if err := waitLimit(ctx, s.clock, s.cmdLim); err != nil {
		return &panel.Error{Kind: panel.ErrRateLimited, Op: op, Err: err}
	}
	return c.send(ctx, "send command", command)
}

// connected reports whether a session is authenticated (for tests).
func (s *Stream) connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur != nil
}

func validCommand(command string) error {
	switch {
	case strings.TrimSpace(command) == "":
		return errors.New("the command is empty")
	case strings.ContainsAny(command, "\r\n"):
		return errors.New("the command must be a single line")
	case len(encodeFrame("send command", command)) > nodeFrameLimit:
		return errors.New("the command is too long for the node")
	}
	return nil
}
