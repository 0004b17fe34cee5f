package zampto

import (
	"context"
	"net/http"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// request is one call through the funnel.
type request struct {
	op     string // what the bot is doing, for errors: "power restart 12"
	method string
	path   string // "/list"; errors name this, never the full URL
	body   any    // encoded as JSON when not nil
	noAuth bool   // only /health goes without the key
}

// do is the one funnel every request goes through: the rate-limit queue, the
// Authorization header, the call's timeout, the status check and typed
// errors. It returns the body of a 2xx answer for the caller to decode.
// The timeout bounds the whole call — queueing, every attempt and the
// pauses between them — so a silent zampto costs one timeout, not one per
// retry. Only GETs are retried (see httpapi.Retrier): a power signal is
// never sent twice.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	payload, err := httpapi.EncodeJSON(r.op, r.body)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.conn.Bound(ctx)
	defer cancel()
	return c.retry.Do(ctx, r.method, func() ([]byte, error) { return c.attempt(ctx, r, payload) })
}

// attempt waits for a slot in the queue and sends the request once. The
// wait may not eat the time the request itself needs (QueueContext).
func (c *Client) attempt(ctx context.Context, r request, payload []byte) ([]byte, error) {
	qctx, cancel := httpapi.QueueContext(ctx)
	err := c.queue.Wait(qctx)
	cancel()
	if err != nil {
		return nil, httpapi.QueueError(r.op, "WithRateLimit", err, c.queueFullMessage)
	}
	resp, body, err := c.conn.Exchange(ctx, r.op, func(ctx context.Context) (*http.Request, error) {
		return c.newRequest(ctx, r, payload)
	})
	if err != nil {
		return nil, err
	}
	return c.check(r, resp, body)
}

func (c *Client) newRequest(ctx context.Context, r request, payload []byte) (*http.Request, error) {
	req, err := httpapi.NewRequest(ctx, r.method, c.base.JoinPath(r.path).String(), payload)
	if err != nil {
		// The error would repeat the whole URL; the path is enough.
		return nil, &panel.Error{Kind: panel.ErrConfig, Op: r.op, Detail: "building the request for " + r.path}
	}
	if !r.noAuth {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgentHeader)
	return req, nil
}

// check turns a non-2xx answer into a typed error and refuses bodies that
// cannot be zampto's JSON.
func (c *Client) check(r request, resp *http.Response, body []byte) ([]byte, error) {
	if len(body) > maxBody {
		return nil, badResponse(r.op, resp.StatusCode, "the answer to "+r.path+" is larger than 1 MiB")
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := c.statusError(r.op, resp.StatusCode, resp.Header, body)
		if e.Status == http.StatusTooManyRequests {
			c.queue.Pause(e.RetryAfter)
		}
		return nil, e
	}
	if httpapi.LooksHTML(resp.Header, body) {
		return nil, &panel.Error{Kind: panel.ErrConfig, Op: r.op, Status: resp.StatusCode,
			Detail:  "an HTML page instead of JSON from " + r.path,
			Message: "The bot's zampto API URL points at a web page, not the API. Ask the bot's owner to set it to " + DefaultBaseURL + "."}
	}
	return body, nil
}
