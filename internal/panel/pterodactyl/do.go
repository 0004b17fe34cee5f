package pterodactyl

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// The Accept header the panel documents; any JSON Accept works, but without
// one Laravel answers errors with HTML or a login redirect.
const acceptHeader = "Application/vnd.pterodactyl.v1+json"

// retryPolicy spaces retried GETs after network errors and 5xx.
var retryPolicy = backoff.Policy{Base: 250 * time.Millisecond, Max: maxRetryWait}

// do sends one request through the funnel (see httpapi.Client.Do): the
// client's bucket, the key, the call's timeout, the panel's status table
// and rate-limit headers, and out decoded from a 2xx. path is relative to
// /api/client and may carry a query. Only GETs are retried: a power signal
// or a command is never sent twice.
func (c *Client) do(ctx context.Context, op, method, path string, body, out any) error {
	return c.api.Do(ctx, &httpapi.Request{Op: op, Method: method, Path: path, Body: body, Bucket: c.bucket}, out)
}

// newAPI configures the funnel with the client API's rules: its Accept
// header, the key, its status table and sentences, its rate-limit headers
// (observe), and shorter waits than the funnel's defaults. A turn in the
// bucket is bounded by the call's timeout alone.
func (c *Client) newAPI(base *url.URL) httpapi.Client {
	api := httpapi.NewClient(c.displayName(), base, "panelbot")
	api.Header.Set("Accept", acceptHeader)
	api.Timeout, api.MaxWait, api.MaxBody = defaultTimeout, 0, maxBody
	api.Retry = httpapi.Retrier{Tries: defaultRetries, Backoff: retryPolicy, MaxRetryAfter: maxRetryWait}
	api.Auth, api.StatusError, api.Unexpected, api.Observe = httpapi.Bearer(c.key), c.statusError, c.unexpected, c.observe
	return api
}

// withOp names what the bot was doing on an error made outside the funnel.
func withOp(err error, op string) error {
	var pe *panel.Error
	if errors.As(err, &pe) && pe.Op == "" {
		pe.Op = op
	}
	return err
}

// pathOnly drops the query string: error text carries the path only.
func pathOnly(path string) string {
	path, _, _ = strings.Cut(path, "?")
	return "/api/client" + path
}
