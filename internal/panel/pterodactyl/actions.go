package pterodactyl

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/panelbot/panelbot/internal/jwtclaims"
	"github.com/panelbot/panelbot/internal/panel"
)

// Resources reports a server's live state and usage. The limits come from
// the list or the details endpoint, cached for a few minutes, so a status
// normally costs one request; when it costs two, they share one timeout.
func (c *Client) Resources(ctx context.Context, id string) (panel.Resources, error) {
	op := "resources " + clip(id, 40)
	if err := checkID(id); err != nil {
		return panel.Resources{}, withOp(err, op)
	}
	ctx, cancel := c.api.Bound(ctx)
	defer cancel()
	lim, err := c.serverLimits(ctx, op, id)
	if err != nil {
		return panel.Resources{}, err
	}
	var s statsResponse
	if err := c.do(ctx, op, http.MethodGet, serverPath(id, "/resources"), nil, &s); err != nil {
		return panel.Resources{}, err
	}
	if s.Object != "stats" {
		err := c.badResponse(http.StatusOK, fmt.Sprintf("resources have object %q, not \"stats\"", clip(s.Object, 40)))
		return panel.Resources{}, withOp(err, op)
	}
	return s.resources(lim), nil
}

// Power sends a power signal. The panel answers 204 once the node accepted
// it; the server reaches the new state later. Never retried.
func (c *Client) Power(ctx context.Context, id string, s panel.Signal) error {
	op := "power " + clip(string(s), 20) + " " + clip(id, 40)
	if _, err := panel.ParseSignal(string(s)); err != nil {
		return &panel.Error{Class: panel.ErrInvalid, Op: op, Detail: err.Error(),
			Message: "Unknown power action: use start, stop, restart or kill."}
	}
	if err := checkID(id); err != nil {
		return withOp(err, op)
	}
	body := map[string]string{"signal": string(s)}
	return c.do(ctx, op, http.MethodPost, serverPath(id, "/power"), body, nil)
}

// Command sends one console command. A command the console would split,
// ignore or garble is refused here (panel.ValidateCommand). Never retried.
func (c *Client) Command(ctx context.Context, id, command string) error {
	op := "command " + clip(id, 40)
	if err := panel.ValidateCommand(command, panel.MaxCommandRunes); err != nil {
		return withOp(err, op)
	}
	if err := checkID(id); err != nil {
		return withOp(err, op)
	}
	if err := c.requireRunning(ctx, id); err != nil {
		return withOp(err, op)
	}
	body := map[string]string{"command": command}
	return c.do(ctx, op, http.MethodPost, serverPath(id, "/command"), body, nil)
}

// requireRunning stands in for Pterodactyl's 502 on Pelican, which answers
// 204 to a command for an offline server and drops it: without asking
// first, the bot would tell the user "sent" for a command that went
// nowhere. Pterodactyl says so itself and costs no extra request.
func (c *Client) requireRunning(ctx context.Context, id string) error {
	if c.kind != KindPelican {
		return nil
	}
	res, err := c.Resources(ctx, id)
	if err != nil {
		return err
	}
	if res.State == panel.StateOffline {
		return &panel.Error{Class: panel.ErrOffline, Detail: "Pelican drops commands for an offline server"}
	}
	return nil
}

// SocketCredentials fetches a token and the node's websocket address for
// the live console. The expiry is read from the token (unverified: only the
// node can check it); the token itself is never logged.
func (c *Client) SocketCredentials(ctx context.Context, id string) (panel.SocketCredentials, error) {
	op := "websocket credentials " + clip(id, 40)
	if err := checkID(id); err != nil {
		return panel.SocketCredentials{}, withOp(err, op)
	}
	var w struct {
		Data struct {
			Token  string `json:"token"`
			Socket string `json:"socket"`
		} `json:"data"`
	}
	if err := c.do(ctx, op, http.MethodGet, serverPath(id, "/websocket"), nil, &w); err != nil {
		return panel.SocketCredentials{}, err
	}
	if w.Data.Token == "" || !validSocketURL(w.Data.Socket) {
		err := c.badResponse(http.StatusOK, "websocket credentials without a token or a ws(s):// socket address")
		return panel.SocketCredentials{}, withOp(err, op)
	}
	return panel.SocketCredentials{URL: w.Data.Socket, Token: w.Data.Token, Expires: jwtclaims.Expiry(w.Data.Token)}, nil
}

func serverPath(id, suffix string) string {
	return "/servers/" + url.PathEscape(id) + suffix
}

func checkID(id string) error {
	if validID(id) {
		return nil
	}
	return &panel.Error{Class: panel.ErrInvalid, Detail: "not a server identifier or UUID",
		Message: fmt.Sprintf("%q is not a server identifier: use the 8-character identifier from the panel's address (/server/abc12345) or the server's UUID.", clip(id, 40))}
}

func validSocketURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "ws" || u.Scheme == "wss") && u.Host != ""
}
