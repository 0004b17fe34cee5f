package serverprism

import (
	"context"
	"net/http"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// The scopes ServerPrism documents, one per endpoint.
const (
	scopeRead    = "servers:read"
	scopeControl = "servers:control"
)

// request is one call through the funnel.
type request struct {
	op     string // what the bot is doing, for errors: "power restart 1234"
	method string
	path   string // under /api/v1/client; errors name this, never the full URL
	body   any    // encoded as JSON when not nil
	scope  string // the scope the endpoint needs, for a 403's message
	id     string // the server addressed, "" for the list
}

// isWrite says which of ServerPrism's buckets the request counts against.
func (r request) isWrite() bool { return r.method != http.MethodGet }

// do is the one funnel every request goes through: the request's bucket,
// the Authorization header, the call's timeout, the status check and typed
// errors. It returns the body of a 2xx answer for the caller to decode. The
// timeout bounds the whole call — queueing, every attempt and the pauses
// between them (a method that makes several requests bounds them together,
// see Servers). Only GETs are retried, on network errors, 5xx and 503
// ("retry after a short delay") and short 429s (see httpapi.Retrier): a
// power signal or a command is never sent twice.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	payload, err := httpapi.EncodeJSON(r.op, r.body)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.conn.Bound(ctx)
	defer cancel()
	return c.retry.Do(ctx, r.method, func() ([]byte, error) { return c.attempt(ctx, r, payload) })
}

func (c *Client) bucketFor(r request) *httpapi.Bucket {
	if r.isWrite() {
		return c.write
	}
	return c.read
}

// attempt waits for a slot in the request's bucket and sends it once. The
// wait may not eat the time the request itself needs (QueueContext).
func (c *Client) attempt(ctx context.Context, r request, payload []byte) ([]byte, error) {
	qctx, cancel := httpapi.QueueContext(ctx)
	err := c.bucketFor(r).Wait(qctx)
	cancel()
	if err != nil {
		return nil, httpapi.QueueError(r.op, "WithRateLimits", err, func(after time.Duration) string {
			return c.limitSentence(r) + " and the bot's queue is full; try again in " + secondsText(after) + "."
		})
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
	req, err := httpapi.NewRequest(ctx, r.method, c.base.JoinPath(apiPath, r.path).String(), payload)
	if err != nil {
		// The error would repeat the whole URL; the path is enough.
		return nil, &panel.Error{Kind: panel.ErrConfig, Op: r.op, Detail: "building the request for " + r.path}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgentHeader)
	return req, nil
}

// check turns a non-2xx answer into a typed error and refuses bodies that
// cannot be ServerPrism's JSON.
func (c *Client) check(r request, resp *http.Response, body []byte) ([]byte, error) {
	if len(body) > maxBody {
		return nil, badResponse(r.op, resp.StatusCode, "the answer to "+r.path+" is larger than 1 MiB")
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := c.statusError(r, resp.StatusCode, resp.Header, body)
		if e.Status == http.StatusTooManyRequests {
			c.bucketFor(r).Pause(e.RetryAfter)
		}
		return nil, e
	}
	if httpapi.LooksHTML(resp.Header, body) {
		return nil, urlError(r.op, resp.StatusCode, "an HTML page instead of JSON from "+r.path)
	}
	return body, nil
}
