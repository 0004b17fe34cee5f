package shardlyn

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

const (
	// maxBody bounds what is read of any answer; instance lists are small.
	maxBody = 4 << 20
	// maxGetRetries: a GET that met a network error, a 5xx or a 429 is
	// sent at most this many more times. Nothing else is ever resent,
	// except once after a 401 (see sign).
	maxGetRetries = 2
	// maxRateWait is the longest a GET waits out a 429 before giving up
	// and telling the user when to try again.
	maxRateWait = 10 * time.Second
)

// retryPolicy spaces retried GETs.
var retryPolicy = backoff.Policy{Base: 250 * time.Millisecond, Max: 30 * time.Second}

// do sends one request through the funnel (see httpapi.Client.Do): its
// turn in the client's bucket, the credential (renewed once after a 401),
// the call's timeout, the panel's status table and rate-limit headers, and
// out decoded from a 2xx. Only GETs are retried: a power signal is never
// sent twice.
func (c *Client) do(ctx context.Context, r httpapi.Request, out any) error {
	r.Bucket = c.bucket
	return c.api.Do(ctx, &r, out)
}

// newAPI configures the funnel with Shardlyn's rules: the session's
// credential, its status table, its rate-limit headers (observe), and
// shorter waits than the funnel's defaults. A turn in the bucket is bounded
// by the call's timeout alone.
func (c *Client) newAPI(base *url.URL) httpapi.Client {
	api := httpapi.NewClient("Shardlyn", base, userAgent)
	api.Timeout, api.MaxWait, api.MaxBody = defaultTimeout, 0, maxBody
	api.Retry = httpapi.Retrier{Tries: maxGetRetries, Backoff: retryPolicy, MaxRetryAfter: maxRateWait}
	api.Auth, api.StatusError, api.Observe = c.authorize, c.statusError, c.observe
	return api
}

// authorize is the funnel's Auth hook (see sign).
func (c *Client) authorize(ctx context.Context, req *http.Request) (func() bool, error) {
	return c.sign(ctx, req.Header)
}

// sign puts the current credential on h, renewing it first when it is old.
// With a password login, renew discards it after a 401, so that the
// request goes once more with a new one: Shardlyn refused it before acting.
// An API token cannot be renewed: its 401 is final.
func (c *Client) sign(ctx context.Context, h http.Header) (renew func() bool, err error) {
	cred, err := c.sess.credential(ctx)
	if err != nil {
		return nil, err
	}
	h.Set("Authorization", "Bearer "+cred.value)
	if !c.auth.usesPassword() {
		return nil, nil
	}
	return func() bool { c.sess.reject(cred); return true }, nil
}

// transportError reports a websocket handshake that got no answer. The
// *url.Error that net/http returns names the full URL; only its cause is
// kept.
func transportError(ctx context.Context, op string, err error) error {
	e := &panel.Error{Class: panel.ErrUnavailable, Op: op, Err: httpapi.StripURL(err)}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		e.Detail = "Shardlyn did not answer in time"
		e.Message = "Shardlyn did not answer in time. Try again in a minute."
	}
	return e
}

// asPanelError keeps panel errors (a refused login) as they are and wraps
// anything else (the caller's context ending) without losing it.
func asPanelError(op string, err error) error {
	var pe *panel.Error
	if errors.As(err, &pe) {
		return err
	}
	return &panel.Error{Class: panel.ErrUnavailable, Op: op, Err: err}
}
