package zampto

import (
	"context"
	"net/http"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
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

// newAPI configures the funnel with zampto's rules.
func (c *Client) newAPI() httpapi.Client {
	return httpapi.Client{
		Panel: "zampto", HC: &http.Client{}, Timeout: defaultTimeout, MaxBody: maxBody,
		Header: http.Header{"Accept": {"application/json"}, "User-Agent": {userAgentHeader}},
		Retry:  httpapi.Retrier{Tries: defaultRetries, MaxRetryAfter: maxRetryAfter},
		Auth: func(_ context.Context, req *http.Request) (func() bool, error) {
			req.Header.Set("Authorization", "Bearer "+c.token)
			return nil, nil
		},
		StatusError: func(r *httpapi.Request, resp *http.Response, body []byte) *panel.Error {
			return c.statusError(r.Op, resp.StatusCode, resp.Header, body)
		},
		Unexpected: func(r *httpapi.Request, status int, detail string) *panel.Error {
			return &panel.Error{Kind: panel.ErrBadResponse, Op: r.Op, Status: status, Detail: detail,
				Message: "zampto answered with something that is not its API (a web page, or no JSON): the bot's zampto API URL may be wrong, or zampto is under maintenance. Ask the bot's owner to check that it is " + DefaultBaseURL + "."}
		},
		QueueFull: func(_ *httpapi.Request, after time.Duration) string { return c.queueFullMessage(after) },
	}
}
