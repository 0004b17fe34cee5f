package wings

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/panel"
)

// Notices about the connection.
const (
	noticeDown = "The server's live console is unreachable right now; the relay keeps retrying."
	noticeBack = "The live console is connected again."
)

// closeSuspended is the close code of a node refusing a suspended server.
const closeSuspended = 4409

var errOriginRefused = errors.New("the node refused the websocket Origin (HTTP 403)")

// run is the state of one Stream call, shared by its successive sessions.
type run struct {
	s            *Stream
	q            *queue
	lines        *lineSink
	authedAt     time.Time // when the current session authenticated; zero if it has not
	failed       int       // consecutive sessions that never authenticated
	downNotified bool
}

// Stream relays the console into events until ctx is done or a failure that
// cannot heal, which it returns (a *panel.Error) after a notice saying why.
// It returns only once its goroutines have ended.
func (s *Stream) Stream(ctx context.Context, events chan<- console.Event) error {
	if events == nil {
		return errors.New("wings: events channel must not be nil")
	}
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("wings: this server's console is already being streamed")
	}
	defer s.running.Store(false)
	q := newQueue(s.queueSize, s.clock)
	r := &run{s: s, q: q, lines: newLineSink(q, s.clock, s.backlog)}
	pumped := make(chan struct{})
	lost := 0
	go func() { defer close(pumped); lost = q.pump(ctx, events) }()
	err := r.loop(ctx)
	q.close()
	<-pumped
	if lost > 0 {
		s.log.Warn("console lines not handed to the relay: it stopped reading", "lines", lost)
	}
	return err
}

// loop reconnects with backoff until ctx is done or a permanent failure.
func (r *run) loop(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		err := r.session(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if perm := r.s.permanent(err); perm != nil {
			r.s.log.Error("the live console stopped for good", "error", perm)
			r.q.push(notice(r.s.clock, perm.Message))
			return perm
		}
		if !r.authedAt.IsZero() && r.s.clock.Now().Sub(r.authedAt) >= healthyAfter {
			attempt = 0
		}
		r.noteFailure()
		wait := max(r.s.backoff(attempt), retryAfter(err))
		r.s.log.Warn("console connection lost; reconnecting", "error", err, "wait", wait)
		if err := sleep(ctx, r.s.clock, wait); err != nil {
			return err
		}
	}
}

// noteFailure tells the channel once when reconnecting does not work at
// once; a single drop healed by the next attempt is not worth a message.
func (r *run) noteFailure() {
	if !r.authedAt.IsZero() {
		r.failed = 0
		return
	}
	r.failed++
	if !r.downNotified {
		r.downNotified = true
		r.q.push(notice(r.s.clock, noticeDown))
	}
}

// authenticated is called at a session's first `auth success`.
func (r *run) authenticated() {
	r.authedAt = r.s.clock.Now()
	if r.downNotified {
		r.downNotified = false
		r.q.push(notice(r.s.clock, noticeBack))
	}
}

// permanent classifies the failures that retrying cannot heal, with the
// sentence the channel is told.
func (s *Stream) permanent(err error) *panel.Error {
	op := "live console of " + s.serverID
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce) && ce.Code == closeSuspended:
		return &panel.Error{Kind: panel.ErrConflict, Op: op, Detail: "the node closed the socket: server is suspended (4409)",
			Message: "The server is suspended, so its live console has stopped. Start the relay again once the host lifts the suspension."}
	case errors.Is(err, errOriginRefused):
		return &panel.Error{Kind: panel.ErrConfig, Op: op, Status: http.StatusForbidden, Detail: err.Error(),
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
	return &panel.Error{Kind: kind, Op: op, Message: msg, Err: err}
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
		return nil, &panel.Error{Kind: panel.ErrUnavailable, Op: op, Err: err}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_ = resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusForbidden:
		return nil, errOriginRefused
	case http.StatusNotFound:
		s.tok.invalidate() // the server may have moved to another node
	}
	return nil, &panel.Error{Kind: panel.ErrUnavailable, Op: op, Status: resp.StatusCode, Detail: nodeError(body)}
}

// nodeError extracts the node's {"error": "..."} message, bounded.
func nodeError(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return truncate(e.Error, 200)
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
