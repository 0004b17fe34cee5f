package serverprism

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// The scopes ServerPrism documents, one per endpoint.
const (
	scopeRead    = "servers:read"
	scopeControl = "servers:control"
)

// scopeOf is the scope an endpoint needs, for a 403's message: reads need
// servers:read, power signals and commands servers:control.
func scopeOf(r *httpapi.Request) string {
	if isWrite(r) {
		return scopeControl
	}
	return scopeRead
}

// serverID is the server a request addresses, "" for the list.
func serverID(r *httpapi.Request) string {
	rest, ok := strings.CutPrefix(r.Path, "/servers/")
	id, _, _ := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	return id
}

// isWrite says which of ServerPrism's buckets the request counts against.
func isWrite(r *httpapi.Request) bool { return r.Method != http.MethodGet }

// do sends one request through the funnel (see httpapi.Client.Do): its
// bucket (reads and writes are counted apart), the token, the timeout of
// the whole call, ServerPrism's status table, and out decoded from a 2xx.
// Only GETs are retried: a power signal or a command is never sent twice.
func (c *Client) do(ctx context.Context, r httpapi.Request, out any) error {
	r.Bucket = c.read
	if isWrite(&r) {
		r.Bucket = c.write
	}
	return c.api.Do(ctx, &r, out)
}

// newAPI configures the funnel with ServerPrism's rules.
func (c *Client) newAPI() httpapi.Client {
	return httpapi.Client{
		Panel: "ServerPrism", HC: &http.Client{}, Timeout: defaultTimeout, MaxBody: maxBody,
		Header: http.Header{"Accept": {"application/json"}, "User-Agent": {userAgentHeader}},
		Retry:  httpapi.Retrier{Tries: defaultRetries, MaxRetryAfter: maxRetryAfter},
		StatusError: func(r *httpapi.Request, resp *http.Response, body []byte) *panel.Error {
			return c.statusError(r, resp.StatusCode, resp.Header, body)
		},
		Auth: func(_ context.Context, req *http.Request) (func() bool, error) {
			req.Header.Set("Authorization", "Bearer "+c.token)
			return nil, nil
		},
		Unexpected: func(r *httpapi.Request, status int, detail string) *panel.Error {
			e := urlError(r.Op, status, detail)
			e.Kind = panel.ErrBadResponse
			e.Message = "ServerPrism answered with something that is not its API (a web page, or no JSON): the bot's ServerPrism URL may be wrong, or ServerPrism is under maintenance. Ask the bot's owner to check that it is " + DefaultBaseURL + "."
			return e
		},
		QueueFull: func(r *httpapi.Request, after time.Duration) string {
			return c.limitSentence(r) + " and the bot's queue is full; try again in " + secondsText(after) + "."
		},
	}
}
