package shardlyn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

const (
	// maxBody bounds what is read of any answer; instance lists are small.
	maxBody = 4 << 20
	// maxGetRetries: a GET that met a network error, a 5xx or a 429 is
	// sent at most this many more times. Nothing else is ever resent.
	maxGetRetries = 2
	// retryBase is the first pause before resending a GET after a failure.
	retryBase = 250 * time.Millisecond
	// maxRateWait is the longest a GET waits out a 429 before giving up
	// and telling the user when to try again.
	maxRateWait = 10 * time.Second
)

// request is one call to the API. path is already escaped.
type request struct {
	method string
	path   string
	op     string // what the bot was doing, for errors: "list instances"
	id     string // the instance concerned, for user messages
	body   any
	public bool // login and refresh: no Authorization header
}

// result is one answer, read in full (up to maxBody) and closed.
type result struct {
	status int
	header http.Header
	body   []byte
	cred   credential
	err    error // transport failure: no answer at all
}

// retryPolicy spaces retried requests.
var retryPolicy = backoff.Policy{Base: retryBase, Max: 30 * time.Second}

// retryState counts what one call has already spent.
type retryState struct {
	retries  int
	reauthed bool
}

// do is the one request funnel: per-call timeout, client-side pace and the
// panel's rate-limit headers, authentication (renewing on 401 once), retry
// of idempotent GETs only, status check, decoding and typed errors.
func (c *Client) do(ctx context.Context, r request, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var st retryState
	for {
		res, err := c.attempt(ctx, r)
		if err != nil {
			return err
		}
		wait, again := c.retry(ctx, r, res, &st)
		if !again {
			return c.conclude(ctx, r, res, out)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return c.conclude(ctx, r, res, out)
		}
	}
}

// attempt sends the request once. Its error is final (rate limit met
// before sending, credentials refused at login); a transport failure is
// reported in the result so that GETs may be retried.
func (c *Client) attempt(ctx context.Context, r request) (result, error) {
	if err := c.pace.wait(ctx, r.op); err != nil {
		return result{}, err
	}
	var res result
	if !r.public {
		cred, err := c.sess.credential(ctx)
		if err != nil {
			return result{}, c.asPanelError(r, err)
		}
		res.cred = cred
	}
	req, err := c.newRequest(ctx, r, res.cred)
	if err != nil {
		return result{}, &panel.Error{Kind: panel.ErrConfig, Op: r.op, Err: err}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		res.err = err
		return res, nil
	}
	res.status, res.header = resp.StatusCode, resp.Header
	res.body, res.err = httpapi.ReadBody(resp, maxBody)
	c.pace.observe(resp.StatusCode, resp.Header)
	return res, nil
}

func (c *Client) newRequest(ctx context.Context, r request, cred credential) (*http.Request, error) {
	var payload []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, err
		}
		payload = b
	}
	req, err := httpapi.NewRequest(ctx, r.method, c.base.String()+r.path, payload)
	if err != nil {
		return nil, errors.New("cannot build the request")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if cred.value != "" {
		req.Header.Set("Authorization", "Bearer "+cred.value)
	}
	return req, nil
}

// retry decides whether to send again and after how long. A 401 earns one
// renewed token whatever the method, since the panel refused before acting;
// everything else is resent for GETs only.
func (c *Client) retry(ctx context.Context, r request, res result, st *retryState) (time.Duration, bool) {
	if ctx.Err() != nil {
		return 0, false
	}
	if res.status == http.StatusUnauthorized && !r.public && c.auth.usesPassword() && !st.reauthed {
		c.sess.reject(res.cred)
		st.reauthed = true
		return 0, true
	}
	if r.method != http.MethodGet || st.retries >= maxGetRetries {
		return 0, false
	}
	switch {
	case res.status == http.StatusTooManyRequests:
		wait := c.pace.retryAfter(res.header)
		if wait > maxRateWait || !fits(ctx, wait) {
			return 0, false
		}
		st.retries++
		return wait, true
	case res.err != nil || res.status >= 500:
		st.retries++
		return retryPolicy.Delay(st.retries - 1), true
	}
	return 0, false
}

// conclude turns the last answer into the call's outcome.
func (c *Client) conclude(ctx context.Context, r request, res result, out any) error {
	switch {
	case res.err != nil:
		return c.transportError(ctx, r, res.err)
	case res.status >= 200 && res.status < 300:
		return decodeInto(r, res, out)
	case res.status >= 300 && res.status < 400:
		return &panel.Error{Kind: panel.ErrBadResponse, Op: r.op, Status: res.status, Detail: "unexpected redirect; check the base URL"}
	}
	return c.apiError(r, res)
}

// decodeInto checks that a 2xx is what the endpoint promises — JSON into
// out, or for power no body or JSON nobody reads — and fills out. A web page
// (a maintenance page) or broken JSON is never success; after a power
// signal the user is told to check before sending it again.
func decodeInto(r request, res result, out any) error {
	body := bytes.TrimSpace(res.body)
	var detail string
	switch {
	case httpapi.LooksHTML(res.header, body):
		detail = "an HTML page instead of JSON"
	case len(body) == 0 && (out == nil || res.status == http.StatusNoContent):
		return nil
	case len(body) == 0:
		detail = "an empty answer where JSON is due"
	case out == nil && !json.Valid(body):
		detail = "malformed JSON"
	case out == nil:
		return nil
	default:
		err := json.Unmarshal(body, out)
		if err == nil {
			return nil
		}
		detail = "answer is not the expected JSON: " + httpapi.JSONProblem(err)
	}
	e := &panel.Error{Kind: panel.ErrBadResponse, Op: r.op, Status: res.status, Detail: detail}
	if r.method != http.MethodGet {
		e.Message = "Shardlyn answered something that is not its API's answer. The bot cannot tell whether the request was carried out: check the server's state before sending it again."
	}
	return e
}

// transportError reports a call that got no answer. The *url.Error that
// net/http returns names the full URL; only its cause is kept.
func (c *Client) transportError(ctx context.Context, r request, err error) error {
	e := &panel.Error{Kind: panel.ErrUnavailable, Op: r.op, Err: httpapi.StripURL(err)}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		e.Detail = "Shardlyn did not answer in time"
		e.Message = "Shardlyn did not answer in time. Try again in a minute."
	}
	return e
}

// asPanelError keeps panel errors (a refused login) as they are and wraps
// anything else (the caller's context ending) without losing it.
func (c *Client) asPanelError(r request, err error) error {
	var pe *panel.Error
	if errors.As(err, &pe) {
		return err
	}
	return &panel.Error{Kind: panel.ErrUnavailable, Op: r.op, Err: err}
}

// fits reports whether waiting d still leaves the call inside its deadline.
func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d
}
