package zampto

import (
	"context"

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
