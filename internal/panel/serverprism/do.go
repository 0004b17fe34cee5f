package serverprism

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
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
// the Authorization header, the per-request timeout, the status check and
// typed errors. It returns the body of a 2xx answer for the caller to
// decode. Only GETs are retried: a power signal or a command is never sent
// twice.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	var payload []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, &panel.Error{Kind: panel.ErrInvalid, Op: r.op, Detail: "encoding the request", Err: err}
		}
		payload = b
	}
	for attempt := 0; ; attempt++ {
		body, err := c.attempt(ctx, r, payload)
		if err == nil {
			return body, nil
		}
		wait, retry := c.retryWait(ctx, r, err, attempt)
		if !retry || sleep(ctx, wait) != nil {
			return nil, err
		}
	}
}

func (c *Client) bucketFor(r request) *bucket {
	if r.isWrite() {
		return c.write
	}
	return c.read
}

// attempt waits for a slot in the request's bucket and sends it once.
func (c *Client) attempt(ctx context.Context, r request, payload []byte) ([]byte, error) {
	if err := c.bucketFor(r).wait(ctx); err != nil {
		return nil, c.queueError(r, err)
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newRequest(rctx, r, payload)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.networkError(ctx, r.op, err)
	}
	defer func() {
		// Drain a little so the connection can be reused, then close.
		_, _ = io.CopyN(io.Discard, resp.Body, 4096)
		_ = resp.Body.Close()
	}()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, c.networkError(ctx, r.op, err)
	}
	return c.check(r, resp, body)
}

func (c *Client) newRequest(ctx context.Context, r request, payload []byte) (*http.Request, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.base.JoinPath(apiPath, r.path).String(), rd)
	if err != nil {
		// The error would repeat the whole URL; the path is enough.
		return nil, &panel.Error{Kind: panel.ErrConfig, Op: r.op, Detail: "building the request for " + r.path}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgentHeader)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
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
			c.bucketFor(r).pause(e.RetryAfter)
		}
		return nil, e
	}
	if looksHTML(resp.Header, body) {
		return nil, urlError(r.op, resp.StatusCode, "an HTML page instead of JSON from "+r.path)
	}
	return body, nil
}

// retryWait decides whether a failed GET is tried again and after how long:
// on network errors, timeouts, 5xx and 503 ("retry after a short delay")
// with a doubling pause, and on a 429 whose Retry-After is short and fits
// the deadline (the bucket, paused by the 429, waits it out). Nothing is
// retried past the caller's deadline.
func (c *Client) retryWait(ctx context.Context, r request, err error, attempt int) (time.Duration, bool) {
	var pe *panel.Error
	if r.isWrite() || attempt >= c.retries || ctx.Err() != nil || !errors.As(err, &pe) {
		return 0, false
	}
	var wait time.Duration
	switch {
	case pe.Status == http.StatusTooManyRequests:
		if pe.RetryAfter > maxRetryAfter {
			return 0, false
		}
		// The paused bucket does the waiting; the deadline check must still
		// see it, so the 429 is returned rather than "queue full".
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < pe.RetryAfter+headroom {
			return 0, false
		}
		return 0, true
	case errors.Is(pe, panel.ErrUnavailable) && (pe.Status == 0 || pe.Status >= 500):
		wait = c.backoff << attempt
	default:
		return 0, false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+headroom {
		return 0, false
	}
	return wait, true
}

func (c *Client) queueError(r request, err error) *panel.Error {
	var qf *queueFull
	if errors.As(err, &qf) {
		return &panel.Error{Kind: panel.ErrRateLimited, Op: r.op, RetryAfter: qf.after,
			Detail:  "the bot's request queue (WithRateLimits) cannot serve this call before its deadline",
			Message: c.limitSentence(r) + " and the bot's queue is full; try again in " + secondsText(qf.after) + "."}
	}
	// The caller gave up while waiting its turn.
	return &panel.Error{Kind: panel.ErrUnavailable, Op: r.op, Detail: "gave up waiting for a slot in the request queue", Err: err}
}

// networkError hides the request URL that *url.Error repeats and says
// whether the caller gave up or ServerPrism did not answer in time.
func (c *Client) networkError(ctx context.Context, op string, err error) *panel.Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	e := &panel.Error{Kind: panel.ErrUnavailable, Op: op, Detail: "no answer from ServerPrism", Err: err}
	switch {
	case ctx.Err() != nil:
		e.Err = ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		e.Detail = "ServerPrism did not answer within " + c.timeout.String()
		e.Message = "ServerPrism did not answer in time. Try again in a minute."
	}
	return e
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
