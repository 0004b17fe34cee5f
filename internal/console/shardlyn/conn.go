package shardlyn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/panel"
	api "github.com/panelbot/panelbot/internal/panel/shardlyn"
)

const (
	// pongWait: a connection silent this long (no frame, no pong) is dead.
	pongWait = 60 * time.Second
	// pingPeriod keeps an idle console's connection provably alive.
	pingPeriod = pongWait * 9 / 10
	writeWait  = 5 * time.Second
	// maxFrame bounds one frame read into memory.
	maxFrame = 1 << 20
)

// outcome is how one connection ended.
type outcome struct {
	err       error
	permanent bool   // stop streaming; notice says why
	notice    string // for the channel when permanent
	renew     bool   // the credential expired or was refused: get a fresh one
	delivered bool   // frames arrived, so the connection was healthy
}

// session runs one connection from dial to end.
func (s *Source) session(ctx context.Context, sink console.Sink, st *streamState) outcome {
	sock, err := s.sock.LogSocket(ctx, s.id)
	if err != nil {
		return socketFailure(err)
	}
	ws, resp, err := s.dialer.DialContext(ctx, sock.URL, sock.Header())
	if err != nil {
		return s.handshakeFailure(sock, resp, err, st)
	}
	st.refusals, st.connected = 0, true
	c := startConn(ws, s.queue, s.ping)
	defer c.close()
	if st.outage {
		st.outage = false
		if err := s.notice(ctx, sink, "Reconnected to the Shardlyn console."); err != nil {
			return outcome{err: err}
		}
	}
	st.dedupe.reconnected()
	o := s.pump(ctx, sink, c, st)
	if o.renew {
		s.sock.SocketRefused(sock)
	}
	return o
}

// pump moves lines from the connection's queue to the consumer until the
// connection ends.
func (s *Source) pump(ctx context.Context, sink console.Sink, c *conn, st *streamState) outcome {
	var quiet <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			// Shutting down: what the reader queued is still offered.
			_ = s.deliver(ctx, sink, c, st)
			return outcome{err: ctx.Err()}
		case <-c.queue.ready:
			if err := s.deliver(ctx, sink, c, st); err != nil {
				return outcome{err: err}
			}
		case <-quiet:
			if err := s.lines(ctx, sink, st.dedupe.flush()); err != nil {
				return outcome{err: err}
			}
		case <-c.done:
			err := s.deliver(ctx, sink, c, st)
			st.dedupe.abandon()
			return closeOutcome(errors.Join(c.err, err), c.frames > 0)
		}
		quiet = nil
		if st.dedupe.holding() {
			quiet = s.after(s.quiet)
		}
	}
}

func (s *Source) deliver(ctx context.Context, sink console.Sink, c *conn, st *streamState) error {
	lines, dropped := c.queue.take()
	if dropped > 0 {
		msg := fmt.Sprintf("Skipped %d console lines because the channel could not keep up.", dropped)
		sink.Notice(msg)
	}
	var out []string
	for _, line := range lines {
		out = append(out, st.dedupe.push(line)...)
	}
	return s.lines(ctx, sink, out)
}

// lines hands lines to the relay, which never blocks.
func (s *Source) lines(ctx context.Context, sink console.Sink, lines []string) error {
	for _, l := range lines {
		sink.Line(l)
	}
	return ctx.Err()
}

// socketFailure classifies a failure to get a credential: a refused login
// or MFA is the owner's to fix; anything else heals.
func socketFailure(err error) outcome {
	var pe *panel.Error
	if errors.As(err, &pe) && (pe.Kind == panel.ErrUnauthorized || pe.Kind == panel.ErrConfig || pe.Kind == panel.ErrNotFound) {
		return outcome{err: err, permanent: true, notice: "The console relay stopped: " + panel.UserMessage(err)}
	}
	return outcome{err: err}
}

// handshakeFailure reads a refused upgrade. A 401 renews the credential and
// tries once more; a second refusal in a row, a 403 or a 404 is final.
func (s *Source) handshakeFailure(sock api.Socket, resp *http.Response, err error, st *streamState) outcome {
	if resp == nil {
		return outcome{err: err}
	}
	detail := errorText(resp)
	perr := &panel.Error{Op: "open console " + s.id, Status: resp.StatusCode, Detail: detail, Kind: panel.ErrUnavailable}
	switch status := resp.StatusCode; {
	case status == http.StatusUnauthorized:
		perr.Kind = panel.ErrUnauthorized
		st.refusals++
		s.sock.SocketRefused(sock)
		if s.sock.SocketRenewable() && st.refusals < 2 {
			return outcome{err: perr, renew: true}
		}
		return outcome{err: perr, permanent: true, notice: "The console relay stopped: Shardlyn refused the bot's credentials for this console. Check the Shardlyn login in the bot's config."}
	case status == http.StatusForbidden:
		perr.Kind = panel.ErrForbidden
		return outcome{err: perr, permanent: true, notice: "The console relay stopped: the bot's Shardlyn account may not read this instance's console."}
	case status == http.StatusNotFound, status == http.StatusGone:
		perr.Kind = panel.ErrNotFound
		return outcome{err: perr, permanent: true, notice: "The console relay stopped: Shardlyn no longer has this instance."}
	case status == http.StatusTooManyRequests:
		perr.Kind = panel.ErrRateLimited
	}
	return outcome{err: perr}
}

// errorText reads the documented {"error": ...} envelope of a refused
// handshake, for the log.
func errorText(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	var env struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&env)
	if strings.Contains(env.Error, "eyJ") || strings.Contains(env.Error, "shardlyn_api_") {
		return "(withheld: it quotes a credential)"
	}
	return strings.ToValidUTF8(env.Error[:min(len(env.Error), 200)], "")
}

// closeOutcome reads why the server ended a connection. The document does
// not say what an open socket does when its access token expires; a close
// with 1008 (policy violation) or a reason naming the token is taken as
// that, and answered with a fresh token.
func closeOutcome(err error, delivered bool) outcome {
	o := outcome{err: err, delivered: delivered}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		reason := strings.ToLower(ce.Text)
		o.renew = ce.Code == websocket.ClosePolicyViolation || ce.Code == 4001 || ce.Code == 4401 ||
			strings.Contains(reason, "expired") || strings.Contains(reason, "token")
	}
	return o
}

// conn is one open websocket with its reader and writer goroutines.
type conn struct {
	ws     *websocket.Conn
	queue  *lineQueue
	done   chan struct{} // closed when the reader ends; err and frames are then set
	err    error
	frames int
	stop   chan struct{}
	wrote  chan struct{} // closed when the writer ends
	once   sync.Once
}

func startConn(ws *websocket.Conn, queueSize int, ping time.Duration) *conn {
	c := &conn{ws: ws, queue: newLineQueue(queueSize), done: make(chan struct{}), stop: make(chan struct{}), wrote: make(chan struct{})}
	ws.SetReadLimit(maxFrame)
	_ = ws.SetReadDeadline(time.Now().Add(pongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(pongWait)) })
	go c.read()
	go c.write(ping)
	return c
}

// read is the connection's only reader. It never waits on the consumer:
// lines go to the bounded queue, which drops the oldest when full.
func (c *conn) read() {
	defer close(c.done)
	for {
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		c.frames++
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		for _, line := range frameLines(mt, data) {
			c.queue.push(line)
		}
	}
}

// write is the connection's only writer: pings while it lives, a close
// frame when it ends.
func (c *conn) write(every time.Duration) {
	defer close(c.wrote)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait))
			return
		case <-t.C:
			if c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
				return
			}
		}
	}
}

// close stops both goroutines and waits for them, so no connection
// outlives its session: the writer says goodbye first, then closing the
// socket ends the reader.
func (c *conn) close() {
	c.once.Do(func() {
		close(c.stop)
		<-c.wrote
		_ = c.ws.Close()
		<-c.done
	})
}
