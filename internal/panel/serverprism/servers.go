package serverprism

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// MaxCommandLength is ServerPrism's documented limit on a console command,
// in characters.
const MaxCommandLength = 1024

// Servers lists the customer's active and suspended services. The list
// names only the product ("Minecraft 4 GB"), so the first time a server is
// listed its own name and limits are read from its details — at most
// WithNameLookups of them per call, best effort — and remembered; until
// then, and if that fails, the product stands as its name. The list and
// the lookups share one timeout: names never make the call longer.
func (c *Client) Servers(ctx context.Context) ([]panel.Server, error) {
	const op = "list servers"
	ctx, cancel := c.api.Bound(ctx)
	defer cancel()
	var body json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodGet, Path: "/servers"}, &body); err != nil {
		return nil, err
	}
	items, err := decodeList(body)
	if err != nil {
		return nil, badResponse(op, http.StatusOK, err.Error())
	}
	c.learnNames(ctx, items)
	return c.toServers(items), nil
}

// Resources reads a server's details. The live block is best effort: when
// ServerPrism answers null (the node was briefly unreachable) the state is
// unknown and Live is false, which is no failure.
func (c *Client) Resources(ctx context.Context, id string) (panel.Resources, error) {
	d, err := c.details(ctx, id)
	if err != nil {
		return panel.Resources{}, err
	}
	return d.res, nil
}

// Power sends start, stop, restart or kill. Success means ServerPrism sent
// the signal, not that the server has reached the new state. Never retried.
func (c *Client) Power(ctx context.Context, id string, s panel.Signal) error {
	op := "power " + string(s) + " " + httpapi.Clip(id, 32)
	sig, err := panel.ParseSignal(string(s))
	if err != nil {
		return &panel.Error{Class: panel.ErrInvalid, Op: op, Detail: err.Error()}
	}
	if err := checkID(op, id); err != nil {
		return err
	}
	var body json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodPost, Path: "/servers/" + id + "/power",
		Body: map[string]string{"signal": string(sig)}}, &body); err != nil {
		return err
	}
	return sentOrError(op, "power signal", body)
}

// Command sends one console command to a running server. It is checked
// before sending: one line (ServerPrism passes newlines on as they are, it
// does not split them), no control characters, at most 1024 characters.
// A server that is not running is ErrOffline. Never retried.
func (c *Client) Command(ctx context.Context, id, command string) error {
	op := "command " + httpapi.Clip(id, 32)
	if err := checkID(op, id); err != nil {
		return err
	}
	if err := checkCommand(op, command); err != nil {
		return err
	}
	var body json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodPost, Path: "/servers/" + id + "/command",
		Body: map[string]string{"command": command}}, &body); err != nil {
		return err
	}
	return sentOrError(op, "command", body)
}

// details reads GET /servers/{id} and remembers the name and limits.
func (c *Client) details(ctx context.Context, id string) (details, error) {
	op := "status " + httpapi.Clip(id, 32)
	if err := checkID(op, id); err != nil {
		return details{}, err
	}
	var body json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodGet, Path: "/servers/" + id}, &body); err != nil {
		return details{}, err
	}
	d, err := decodeDetails(body)
	if err != nil {
		return details{}, badResponse(op, http.StatusOK, err.Error())
	}
	c.mu.Lock()
	c.known[id] = known{name: d.name, limits: d.limits}
	c.mu.Unlock()
	return d, nil
}

// learnNames looks up servers whose name is not known yet. It stops at the
// first failure other than "not found" (a full queue, an outage): names are
// a nicety, and the list itself must not fail for them.
func (c *Client) learnNames(ctx context.Context, items []listItem) {
	missing := c.unknownIDs(items)
	for i, id := range missing {
		if i >= c.lookups {
			return
		}
		if _, err := c.details(ctx, id); err != nil && !errors.Is(err, panel.ErrNotFound) {
			return
		}
	}
}

// unknownIDs forgets servers no longer listed, which bounds the memory, and
// returns the listed ones whose names are not known.
func (c *Client) unknownIDs(items []listItem) []string {
	listed := make(map[string]bool, len(items))
	var missing []string
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range items {
		listed[it.id] = true
		if _, ok := c.known[it.id]; !ok {
			missing = append(missing, it.id)
		}
	}
	for id := range c.known {
		if !listed[id] {
			delete(c.known, id)
		}
	}
	return missing
}

func (c *Client) toServers(items []listItem) []panel.Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]panel.Server, 0, len(items))
	for _, it := range items {
		s := panel.Server{ID: it.id, Name: it.product, Description: it.product,
			Suspended: it.status == "suspended"}
		if it.status != "active" && it.status != "suspended" {
			s.Status = it.status
		}
		if k, ok := c.known[it.id]; ok {
			s.Limits = k.limits
			if k.name != "" {
				s.Name = k.name
			}
		}
		if s.Name == "" {
			s.Name = "server " + it.id
		}
		out = append(out, s)
	}
	return out
}

// checkID refuses an ID that cannot be a ServerPrism service ID before it
// goes into a URL path.
func checkID(op, id string) error {
	if _, ok := httpapi.ParseNumericID(id); !ok {
		return &panel.Error{Class: panel.ErrInvalid, Op: op, Detail: "server ID is not a number",
			Message: fmt.Sprintf("ServerPrism server IDs are numbers, and %q is not one. Pick the server from /servers.", httpapi.Clip(id, 32))}
	}
	return nil
}

// checkCommand applies the bot's one rule for a command with ServerPrism's
// own limit, so that a refused command costs no request.
func checkCommand(op, command string) error {
	err := panel.ValidateCommand(command, MaxCommandLength)
	var pe *panel.Error
	if errors.As(err, &pe) {
		pe.Op = op
	}
	return err
}

// sentOrError reads {"data": {…, "sent": true}}; sent false means
// ServerPrism took the request but did not pass it on.
func sentOrError(op, what string, body []byte) error {
	sent, err := decodeSent(body)
	if err != nil {
		return badResponse(op, http.StatusOK, err.Error())
	}
	if !sent {
		return &panel.Error{Class: panel.ErrUnavailable, Op: op, Status: http.StatusOK, Detail: what + " not sent",
			Message: fmt.Sprintf("ServerPrism took the %s but did not pass it on to the server. Try again in a minute.", what)}
	}
	return nil
}
