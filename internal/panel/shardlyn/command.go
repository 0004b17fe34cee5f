package shardlyn

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// closeWait is how long Command waits for the console to answer its close
// frame: an error frame sent about the command arrives before that answer.
const closeWait = 2 * time.Second

// Command types one console command on an instance through its interactive
// console websocket (GET /v1/instances/{id}/console, document 004). The
// document gives no input format; the plainest reading is taken: one text
// frame is one command, as typed, without a newline. The socket is opened
// for the command and closed after it; the command is never sent twice
// (a 401 handshake is retried once with a renewed token: nothing was sent).
func (c *Client) Command(ctx context.Context, id, command string) error {
	if err := panel.ValidateCommand(command, panel.MaxCommandRunes); err != nil {
		return err
	}
	r := &httpapi.Request{Op: "console command on " + id, Method: http.MethodGet, Path: instancePath(id, "console"), Bucket: c.bucket}
	if err := checkID(r.Op, id); err != nil {
		return err
	}
	ctx, cancel := c.api.Bound(ctx)
	defer cancel()
	ws, err := c.dialConsole(ctx, r)
	if err != nil {
		return err
	}
	defer ws.Close()
	return c.sendCommand(ctx, r.Op, ws, command)
}

// dialConsole opens the console websocket with the bearer credential, as
// every JWT endpoint takes it, after its turn in the bucket; a handshake
// refused with a 401 goes once more with a renewed token (see sign).
func (c *Client) dialConsole(ctx context.Context, r *httpapi.Request) (*websocket.Conn, error) {
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: c.api.Timeout}
	for renewed := false; ; renewed = true {
		if err := c.api.Wait(ctx, r); err != nil {
			return nil, err
		}
		h := http.Header{"User-Agent": {userAgent}}
		renew, err := c.sign(ctx, h)
		if err != nil {
			return nil, asPanelError(r.Op, err)
		}
		ws, resp, err := d.DialContext(ctx, c.wsURL(r.Path), h)
		switch {
		case err == nil:
			return ws, nil
		case resp == nil:
			return nil, transportError(ctx, r.Op, dialCause(ctx, err))
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		_ = resp.Body.Close()
		c.observe(r, resp)
		if resp.StatusCode != http.StatusUnauthorized || renew == nil || renewed || !renew() {
			return nil, c.consoleError(r, resp, body)
		}
	}
}

// consoleError maps a refused handshake. A 409 is the console of an
// instance that is not running (the simulator's reading; the document only
// lists the status): the user is told to start it.
func (c *Client) consoleError(r *httpapi.Request, resp *http.Response, body []byte) error {
	e := c.statusError(r, resp, body)
	if resp.StatusCode == http.StatusConflict {
		e.Class = panel.ErrOffline
		e.Message = "The instance is not running, so it cannot take a command. Start it first."
	}
	return e
}

// sendCommand writes the one frame, then closes the socket and waits for
// the console's answer to the close: an {"error": ...} frame before it is
// the console refusing the command.
func (c *Client) sendCommand(ctx context.Context, op string, ws *websocket.Conn, command string) error {
	deadline := time.Now().Add(closeWait)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = ws.SetWriteDeadline(deadline)
	if err := ws.WriteMessage(websocket.TextMessage, []byte(command)); err != nil {
		return &panel.Error{Class: panel.ErrUnavailable, Op: op, Err: httpapi.StripURL(err),
			Message: "The console connection failed before the command was sent. Try again in a moment."}
	}
	_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	_ = ws.SetReadDeadline(deadline)
	for {
		mt, data, err := ws.ReadMessage()
		if err != nil {
			return nil // closed or quiet: the command was delivered
		}
		if mt != websocket.TextMessage {
			continue
		}
		if detail := c.detail(data); detail != "" {
			return &panel.Error{Class: panel.ErrInvalid, Op: op, Detail: detail,
				Message: "Shardlyn's console refused the command: " + detail}
		}
	}
}

// wsURL is the websocket address of an API path.
func (c *Client) wsURL(path string) string {
	u := *c.base
	u.Scheme = map[string]string{"https": "wss", "http": "ws"}[u.Scheme]
	return u.String() + path
}

// dialCause keeps the caller's cancellation recognisable.
func dialCause(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return ctx.Err()
	}
	return err
}
