package wings

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/console/replay"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/trunc"
)

// Notices about the connection.
const (
	noticeDown = "The server's live console is unreachable right now; the relay keeps retrying."
	noticeBack = "The live console is connected again."
)

// closeSuspended is the close code of a node refusing a suspended server.
const closeSuspended = 4409

var errOriginRefused = errors.New("the node refused the websocket Origin (HTTP 403)")

// run is what outlives one connection within a Stream call.
type run struct {
	s    *Stream
	sink console.Sink
	al   *replay.Aligner
	down bool // the channel was told the console is unreachable
}

// Stream relays the console into sink until ctx is done or a failure that
// cannot heal, which it returns (a *panel.Error) after a notice saying why.
// It returns only once its goroutines have ended.
func (s *Stream) Stream(ctx context.Context, sink console.Sink) error {
	if sink == nil {
		return errors.New("wings: sink must not be nil")
	}
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("wings: this server's console is already being streamed")
	}
	defer s.running.Store(false)
	r := &run{s: s, sink: sink, al: replay.New(s.backlog)}
	r.al.Seed(s.seed)
	return r.loop(ctx)
}

// loop reconnects with backoff until ctx is done or a permanent failure. A
// session that reached the node's stream resets the backoff, so a node that
// drops connections now and then is rejoined within about a second.
func (r *run) loop(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		healthy, err := r.session(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if perm := r.s.permanent(err); perm != nil {
			r.s.log.Error("the live console stopped for good", "error", perm)
			r.sink.Notice(perm.Message)
			return perm
		}
		if healthy {
			attempt = 0
		} else if !r.down {
			r.down = true
			r.sink.Notice(noticeDown)
		}
		wait := max(r.s.backoff.Delay(attempt), retryAfter(err))
		r.s.log.Warn("console connection lost; reconnecting", "error", err, "wait", wait)
		if err := backoff.Sleep(ctx, r.s.clock, wait); err != nil {
			return err
		}
	}
}

// streaming is called when a session first receives the node's stream.
func (r *run) streaming() {
	if r.down {
		r.down = false
		r.sink.Notice(noticeBack)
	}
}

// permanent classifies the failures that retrying cannot heal, with the
// sentence the channel is told.
func (s *Stream) permanent(err error) *panel.Error {
	op := "live console of " + s.serverID
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce) && ce.Code == closeSuspended:
		return &panel.Error{Class: panel.ErrConflict, Op: op, Detail: "the node closed the socket: server is suspended (4409)",
			Message: "The server is suspended, so its live console has stopped. Start the relay again once the host lifts the suspension."}
	case errors.Is(err, errOriginRefused):
		return &panel.Error{Class: panel.ErrConfig, Op: op, Status: http.StatusForbidden, Detail: err.Error(),
			Message: "The node refused the console connection because the panel URL in the bot's settings is not the one the node trusts. Ask the bot's owner to check the panel URL."}
	case errors.Is(err, panel.ErrUnauthorized):
		return withMessage(err, panel.ErrUnauthorized, op, "The panel refused the bot's API key (revoked or expired), so the live console has stopped. Ask the bot's owner to check the key.")
	case errors.Is(err, panel.ErrForbidden):
		return withMessage(err, panel.ErrForbidden, op, "The bot's panel account may not open this server's console (it needs the websocket permission), so the live console has stopped.")
	case errors.Is(err, panel.ErrNotFound):
		return withMessage(err, panel.ErrNotFound, op, "The panel no longer knows this server, so its live console has stopped.")
	case errors.Is(err, panel.ErrConfig), errors.Is(err, panel.ErrUnsupported):
		return withMessage(err, nil, op, "The live console has stopped. "+panel.UserMessage(err))
	}
	return nil
}

// withMessage returns a copy of the *panel.Error in err (or a new one of
// kind) carrying the channel's sentence.
func withMessage(err, kind error, op, msg string) *panel.Error {
	var pe *panel.Error
	if errors.As(err, &pe) {
		cp := *pe
		cp.Message = msg
		return &cp
	}
	if kind == nil {
		kind = panel.ErrConfig
	}
	return &panel.Error{Class: kind, Op: op, Message: msg, Err: err}
}

func retryAfter(err error) time.Duration {
	var pe *panel.Error
	if errors.As(err, &pe) && errors.Is(pe, panel.ErrRateLimited) {
		return pe.RetryAfter
	}
	return 0
}

// dial opens the socket with the panel's Origin, as the node requires.
func (s *Stream) dial(ctx context.Context, u string) (*websocket.Conn, error) {
	ws, resp, err := s.dialer.DialContext(ctx, u, http.Header{"Origin": []string{s.origin}})
	if err == nil {
		return ws, nil
	}
	op := "connect to the node of " + s.serverID
	if resp == nil {
		return nil, &panel.Error{Class: panel.ErrUnavailable, Op: op, Err: err}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_ = resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusForbidden:
		return nil, errOriginRefused
	case http.StatusNotFound:
		s.tok.invalidate() // the server may have moved to another node
	}
	return nil, &panel.Error{Class: panel.ErrUnavailable, Op: op, Status: resp.StatusCode, Detail: nodeError(body)}
}

// nodeError extracts the node's {"error": "..."} message, bounded.
func nodeError(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return trunc.Runes(e.Error, 200)
	}
	return ""
}
