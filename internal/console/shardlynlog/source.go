// Package shardlynlog streams a Shardlyn instance's live console into the
// relay as a console.Source: it reads the instance's log websocket
// (GET /v1/instances/{id}/logs, authenticated with the bearer access token
// like every JWT endpoint) and reconnects with a fresh token when the old
// one expires or the connection drops.
//
// It follows the Wings source's shape: per connection, a reader goroutine
// only decodes frames into lines and hands them on, a writer only pings,
// and one goroutine (the Stream's) owns the state. A new connection replays
// recent lines; what it replays is aligned with what was already relayed by
// the one replay aligner (internal/console/replay), so no line is relayed
// twice. Where that replay does not reach back (or there is none), the gap
// is filled from GET /v1/instances/{id}/logs/history through the same
// aligner, and the channel is told lines may be missing only when the
// aligner finds a gap it could not fill. See frameLines for how frames
// become lines.
package shardlynlog

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/console"
	api "github.com/panelbot/panelbot/internal/panel/shardlyn"
)

// Defaults, each overridable by an Option.
const (
	// defaultWindow is the most lines a replay is aligned over: the log
	// socket's replay and the history tail taken both fit in it.
	defaultWindow    = 150
	defaultHold      = 750 * time.Millisecond
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
	// LogHistory returns the instance's recent lines, oldest first.
	LogHistory(ctx context.Context, id string) ([]string, error)
}

// Source streams one instance's console. It implements console.Source.
type Source struct {
	sock    Socketer
	id      string
	dialer  *websocket.Dialer
	window  int
	hold    time.Duration
	backoff backoff.Policy
	clock   clock.Clock
	log     *slog.Logger
}

var _ console.Source = (*Source)(nil)

// New returns a source for one instance; nothing is dialled until Stream.
func New(sock Socketer, instanceID string, opts ...Option) (*Source, error) {
	if sock == nil || instanceID == "" {
		return nil, errors.New("shardlyn console: a client and an instance id are required")
	}
	s := &Source{
		sock: sock, id: instanceID, window: defaultWindow, hold: defaultHold,
		// 1 s doubling to 30 s, each wait shortened by up to half.
		backoff: backoff.Policy{Base: time.Second, Max: 30 * time.Second, Jitter: 0.5}, clock: clock.Real{}, log: slog.New(slog.DiscardHandler),
		dialer: &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: handshakeTimeout},
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, errors.New("shardlyn console: " + err.Error())
		}
	}
	return s, nil
}
