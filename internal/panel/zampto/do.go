package zampto

import (
	"context"
	"net/url"

	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// do sends one request through the funnel (see httpapi.Client.Do): the
// account's queue, the key, the timeout of the whole call, zampto's error
// table, and out decoded from a 2xx answer. Only GETs are retried: a power
// signal is never sent twice.
func (c *Client) do(ctx context.Context, r httpapi.Request, out any) error {
	r.Bucket = c.queue
	return c.api.Do(ctx, &r, out)
}

// newAPI configures the funnel with zampto's rules: the token, its status
// table and its sentences.
func (c *Client) newAPI(base *url.URL) httpapi.Client {
	api := httpapi.NewClient("zampto", base, userAgentHeader)
	api.Auth, api.StatusError, api.Unexpected, api.QueueFull = httpapi.Bearer(c.token), c.statusError, c.unexpected, c.queueFull
	return api
}
