package serverprism

import (
	"context"
	"net/http"
	"strings"

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
