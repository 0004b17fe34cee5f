// Package httpapi is the one request funnel of the panel clients, in the
// shape of go-github's Do: the limiter wait, the credential, the request,
// the status check, the decoding, the typed error and the retries that are
// safe. Each panel client configures a Client with its panel's status
// table, its user sentences and, where its panel needs them, hooks (a
// renewed token after a 401, rate-limit headers to observe); its own do is
// then a few lines. Error text names neither a secret nor a full URL.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
)

// Client sends one panel's requests. Its fields are set once, before the
// first call; it is then safe for concurrent use.
type Client struct {
	Panel string   // names the panel in messages: "zampto"
	Base  *url.URL // the API's address; a Request's Path is appended to it
	// hc sends the requests: WithHTTPClient's copy, or when nil one of its
	// own. Neither follows redirects.
	hc     *http.Client
	Header http.Header // sent with every request: Accept, User-Agent
	// Timeout bounds one whole call (see Bound): its wait in the queue,
	// every attempt and the pauses between them, so that a silent panel
	// costs the caller Timeout and not Timeout per retry.
	Timeout time.Duration
	// MaxWait bounds a request's wait for its turn in a Bucket made after
	// it is set; 0 leaves the bound to the call's deadline alone.
	MaxWait time.Duration
	// MaxBody bounds what is read of an answer; a longer one is refused.
	MaxBody int
	// Clock is what every wait of the funnel is taken on and what a
	// Retry-After date is measured against; nil is the wall clock.
	Clock clock.Clock
	Retry Retrier
	// Auth puts the credential on a request. renew, when not nil, is
	// called once after a 401: true means a fresh credential is ready and
	// the request goes once more (after its turn in the Bucket), whatever
	// its method, because the panel refused it before acting on it. An
	// error (a refused login) ends the call: it is not retried.
	Auth func(ctx context.Context, req *http.Request) (renew func() bool, err error)
	// StatusError maps a non-2xx answer onto the panel's typed error.
	StatusError func(r *Request, resp *http.Response, body []byte) *panel.Error
	// Unexpected words a 2xx that is not what the endpoint promises (see
	// Do) as an ErrBadResponse in the panel's words; nil uses the default.
	Unexpected func(r *Request, status int, detail string) *panel.Error
	// QueueFull says, in the panel's words, when to try again when the
	// request's Bucket cannot serve it before its deadline.
	QueueFull func(r *Request, after time.Duration) string
	// Observe sees every answer before its status is checked, to pause the
	// request's Bucket as the panel's rate-limit headers ask (Pterodactyl,
	// Shardlyn). Without it, a 429 pauses the Bucket for its RetryAfter.
	Observe func(r *Request, resp *http.Response)
}

// The funnel's defaults. A Discord command's deferred reply may take 15
// minutes, but its user should hear within seconds that a panel is slow or
// that the bot's queue for it is too long.
const (
	defaultTimeout       = 15 * time.Second
	defaultMaxWait       = 30 * time.Second
	defaultMaxBody       = 1 << 20
	defaultRetries       = 2
	defaultBackoff       = 500 * time.Millisecond
	defaultMaxRetryAfter = 15 * time.Second
)

// NewClient is the funnel of the panel named panel (in messages) whose API
// is at base, with the bot's defaults: a JSON Accept header and userAgent
// on every request, 15 s for a whole call and at most 30 s of it waiting
// for a turn, answers of at most 1 MiB, and a failed GET tried twice more
// (after 500 ms, doubling, or a 429's Retry-After of up to 15 s). The
// client then sets its credential and hooks and changes what its panel's
// documents ask for; its owner's options (Setting) come last.
func NewClient(panel string, base *url.URL, userAgent string) Client {
	c := Client{Panel: panel, Base: base, Timeout: defaultTimeout, MaxWait: defaultMaxWait, MaxBody: defaultMaxBody,
		Header: http.Header{"Accept": {"application/json"}, "User-Agent": {userAgent}},
		Retry:  Retrier{MaxRetryAfter: defaultMaxRetryAfter}}
	_ = c.Retry.set(defaultRetries, defaultBackoff)
	return c
}

// Request is one call through the funnel.
type Request struct {
	Op     string // what the bot is doing, for errors: "power restart 12"
	Method string
	// Path is appended to the Client's Base, already escaped; it may carry
	// a query. Errors name it without the query, never the full URL.
	Path   string
	Body   any     // encoded as JSON when not nil
	Bucket *Bucket // the rate limit the request counts against; nil none
	NoAuth bool    // login, refresh and health checks go without Auth
}

// path is what error text names: the API path without the query.
func (r *Request) path(base *url.URL) string {
	p, _, _ := strings.Cut(r.Path, "?")
	return base.Path + p
}

// Do sends r and decodes a 2xx answer into out. A 2xx must be what the
// endpoint promises: JSON when out is not nil (or a 204), else no body or
// JSON; an
// HTML page, an empty body where JSON is due or malformed JSON is
// ErrBadResponse, never success. Only GETs are retried (see Retrier): a
// power signal or a console command is never sent twice.
func (c *Client) Do(ctx context.Context, r *Request, out any) error {
	payload, err := encodeJSON(r.Op, r.Body)
	if err != nil {
		return err
	}
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	return c.Retry.do(ctx, c.clock(), r.Method, func() error { return c.attempt(ctx, r, payload, out) })
}

// errTimedOut is the cause of a call that outlived its Timeout; it tells
// "the panel did not answer in time" from "the caller gave up".
var errTimedOut = errors.New("the call's timeout expired")

// Bound limits ctx to Timeout for one whole call. Do calls it; a method
// that makes several requests calls it first, so that they share a budget.
func (c *Client) Bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, c.Timeout, errTimedOut)
}

// Now reads the funnel's clock: what a client measures a panel's times
// against (a Retry-After date, a token's age).
func (c *Client) Now() time.Time { return c.clock().Now() }

func (c *Client) clock() clock.Clock {
	if c.Clock == nil {
		return clock.Real{}
	}
	return c.Clock
}

// attempt waits for a turn and sends the request once, and once more with
// a renewed credential when the panel refused the first one (see Auth).
func (c *Client) attempt(ctx context.Context, r *Request, payload []byte, out any) error {
	if err := c.Wait(ctx, r); err != nil {
		return err
	}
	renew, err := c.send(ctx, r, payload, out)
	var pe *panel.Error
	if renew != nil && errors.As(err, &pe) && pe.Status == http.StatusUnauthorized && renew() {
		if err := c.Wait(ctx, r); err != nil {
			return err
		}
		_, err = c.send(ctx, r, payload, out)
	}
	return err
}

// Wait takes r's turn in its Bucket, as Do does before each request; a
// request that cannot go through Do (a websocket handshake) waits here
// itself. The wait may not eat the time the request needs (queueContext):
// a turn that comes too late is ErrRateLimited at once, in the panel's
// words (QueueFull).
func (c *Client) Wait(ctx context.Context, r *Request) error {
	if r.Bucket == nil {
		return nil
	}
	qctx, cancel := queueContext(ctx)
	defer cancel()
	err := r.Bucket.wait(qctx)
	if err == nil {
		return nil
	}
	return queueError(r.Op, err, func(after time.Duration) string {
		if c.QueueFull == nil {
			return ""
		}
		return c.QueueFull(r, after)
	})
}

// send makes one exchange: build, authorise, send, read, check, decode.
func (c *Client) send(ctx context.Context, r *Request, payload []byte, out any) (renew func() bool, err error) {
	// The request itself stays within Timeout even when ctx is not Bound.
	rctx, cancel := context.WithTimeoutCause(ctx, c.Timeout, errTimedOut)
	defer cancel()
	req, err := c.newRequest(rctx, r, payload)
	if err != nil {
		return nil, err
	}
	if c.Auth != nil && !r.NoAuth {
		if renew, err = c.Auth(rctx, req); err != nil {
			return nil, final{c.authError(r, err)}
		}
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return renew, c.networkError(rctx, r.Op, err)
	}
	body, err := readBody(resp, c.MaxBody)
	if err != nil {
		return renew, c.networkError(rctx, r.Op, err)
	}
	if c.Observe != nil {
		c.Observe(r, resp)
	}
	return renew, c.check(r, resp, body, out)
}

// httpClient is hc, or one that refuses redirects as hc does.
func (c *Client) httpClient() *http.Client {
	if c.hc == nil {
		return &http.Client{CheckRedirect: noRedirects}
	}
	return c.hc
}

func (c *Client) newRequest(ctx context.Context, r *Request, payload []byte) (*http.Request, error) {
	req, err := newRequest(ctx, r.Method, c.Base.String()+r.Path, payload)
	if err != nil {
		// net/http's error repeats the whole URL; the path is enough.
		return nil, &panel.Error{Class: panel.ErrConfig, Op: r.Op, Detail: "building the request for " + r.path(c.Base)}
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	return req, nil
}

// final marks a failure that no retry can mend, whatever its kind: the
// credential could not be had, and the login (or its renewal) that failed
// has been tried already. Retrier.do returns what it wraps.
type final struct{ err error }

func (f final) Error() string { return f.err.Error() }

// authError keeps a panel error (a refused login) as it is and wraps
// anything else (the caller's context ending) without losing it.
func (c *Client) authError(r *Request, err error) error {
	var pe *panel.Error
	if errors.As(err, &pe) {
		return err
	}
	return &panel.Error{Class: panel.ErrUnavailable, Op: r.Op, Detail: "no credential for " + c.Panel, Err: err}
}

// check turns a non-2xx answer into the panel's typed error and a 2xx into
// out, refusing what the endpoint does not promise.
func (c *Client) check(r *Request, resp *http.Response, body []byte, out any) error {
	if len(body) > c.MaxBody {
		return c.unexpected(r, resp.StatusCode, "the answer to "+r.path(c.Base)+" is too large")
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := c.StatusError(r, resp, body)
		if c.Observe == nil && e.Status == http.StatusTooManyRequests && r.Bucket != nil {
			r.Bucket.Pause(e.RetryAfter)
		}
		return e
	}
	detail := decode(resp.StatusCode, resp.Header, body, out)
	if detail == "" {
		return nil
	}
	return c.unexpected(r, resp.StatusCode, detail+" from "+r.path(c.Base))
}

// decode fills out from a 2xx body, or says what is wrong with it.
func decode(status int, h http.Header, body []byte, out any) string {
	trimmed := bytes.TrimSpace(body)
	switch {
	case looksHTML(h, trimmed):
		return "an HTML page instead of JSON"
	case len(trimmed) == 0 && (out == nil || status == http.StatusNoContent):
		// 204 is "done, nothing to say" wherever the panel documents it.
		return ""
	case len(trimmed) == 0:
		return "an empty answer where JSON is due"
	case out == nil:
		out = new(json.RawMessage)
	}
	if err := json.Unmarshal(trimmed, out); err != nil {
		return "undecodable JSON (" + JSONProblem(err) + ")"
	}
	return ""
}

// unexpected is the error for a 2xx (or an oversized answer) that is not
// the API's. After a write the panel may or may not have acted, so the user
// is told to look before sending it again (the funnel never resends it).
func (c *Client) unexpected(r *Request, status int, detail string) *panel.Error {
	e := &panel.Error{Class: panel.ErrBadResponse, Op: r.Op, Status: status, Detail: detail}
	if c.Unexpected != nil {
		e = c.Unexpected(r, status, detail)
	}
	if r.Method != http.MethodGet {
		msg := e.Message
		if msg == "" {
			msg = c.Panel + " answered something that is not its API's answer."
		}
		e.Message = msg + " The bot cannot tell whether the request was carried out: check the server's state before sending it again."
	}
	return e
}

// networkError hides the request URL that *url.Error repeats and says
// whether the caller gave up or the panel did not answer in time. ctx is
// the request's own context: its cause tells the two apart.
func (c *Client) networkError(ctx context.Context, op string, err error) *panel.Error {
	e := &panel.Error{Class: panel.ErrUnavailable, Op: op, Detail: "no answer from " + c.Panel, Err: StripURL(err)}
	switch {
	case errors.Is(context.Cause(ctx), errTimedOut):
		e.Err = context.DeadlineExceeded
		e.Detail = c.Panel + " did not answer within " + c.Timeout.String()
		e.Message = c.Panel + " did not answer in time. Try again in a minute."
	case ctx.Err() != nil:
		// The caller's own context ended: its error, not the transport's.
		e.Err = ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		// The HTTP client's own timeout (WithHTTPClient).
		e.Message = c.Panel + " did not answer in time. Try again in a minute."
	}
	return e
}
