package pterodactyl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// The Accept header the panel documents; any JSON Accept works, but without
// one Laravel answers errors with HTML or a login redirect.
const acceptHeader = "Application/vnd.pterodactyl.v1+json"

// do is the one funnel every request goes through: pacing, auth, the call's
// timeout, status check, decoding into out (when not nil) and typed errors.
// path is relative to /api/client and may carry a query string. Only GETs
// are retried: a power signal or a command is never sent twice.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	payload, err := httpapi.EncodeJSON("", body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		err := c.attempt(ctx, method, path, payload, out)
		if err == nil {
			return nil
		}
		wait, retry := c.retryWait(ctx, method, err, attempt)
		if !retry {
			return err
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return withCause(err, serr)
		}
	}
}

// attempt sends the request once.
func (c *Client) attempt(ctx context.Context, method, path string, payload []byte, out any) error {
	if err := c.pace(ctx); err != nil {
		return err
	}
	req, err := c.newRequest(ctx, method, path, payload)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return networkError(ctx, err)
	}
	c.observeRateHeaders(resp)
	return c.handle(resp, path, out)
}

func (c *Client) newRequest(ctx context.Context, method, path string, payload []byte) (*http.Request, error) {
	req, err := httpapi.NewRequest(ctx, method, c.base+path, payload)
	if err != nil {
		// The URL holds nothing secret but the error would repeat it whole.
		return nil, &panel.Error{Kind: panel.ErrConfig, Detail: "building the request for " + pathOnly(path)}
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("User-Agent", "panelbot")
	return req, nil
}

// handle reads the answer (closing it), checks the status and decodes a
// successful answer into out.
func (c *Client) handle(resp *http.Response, path string, out any) error {
	body, err := httpapi.ReadBody(resp, maxBody)
	if err != nil {
		return &panel.Error{Kind: panel.ErrUnavailable, Status: resp.StatusCode,
			Detail: "reading the answer to " + pathOnly(path), Err: httpapi.StripURL(err)}
	}
	if len(body) > maxBody {
		return c.badResponse(resp.StatusCode, "the answer to "+pathOnly(path)+" is larger than 4 MiB")
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.statusError(resp, path, body)
	}
	return c.decode(resp, path, body, out)
}

// decode checks that a 2xx is what the endpoint promises — JSON into out,
// or for power and commands a 204 (no body, or JSON nobody reads) — and
// fills out. A web page (a maintenance page) or broken JSON is never
// success: after a write the user is told to check before resending.
func (c *Client) decode(resp *http.Response, path string, body []byte, out any) error {
	trimmed := bytes.TrimSpace(body)
	var detail string
	switch {
	case httpapi.LooksHTML(resp.Header, trimmed):
		detail = "HTML instead of JSON from " + pathOnly(path)
	case len(trimmed) == 0 && (out == nil || resp.StatusCode == http.StatusNoContent):
		return nil
	case len(trimmed) == 0:
		detail = "an empty answer where JSON is due from " + pathOnly(path)
	case out == nil && !json.Valid(trimmed):
		detail = "malformed JSON from " + pathOnly(path)
	case out == nil:
		return nil
	default:
		err := json.Unmarshal(trimmed, out)
		if err == nil {
			return nil
		}
		detail = "undecodable JSON from " + pathOnly(path) + ": " + httpapi.JSONProblem(err)
	}
	e := c.badResponse(resp.StatusCode, detail)
	if resp.Request != nil && resp.Request.Method != http.MethodGet {
		e.Message += " The bot cannot tell whether the request was carried out: check the server's state before sending it again."
	}
	return e
}

// retryPolicy spaces retried GETs after network errors and 5xx.
var retryPolicy = backoff.Policy{Base: 250 * time.Millisecond, Max: maxRetryWait}

// retryWait decides whether a failed attempt is tried again and after how
// long: only GETs, only on 429 (honouring Retry-After, capped) and on
// network errors or 5xx, and never past the call's deadline.
func (c *Client) retryWait(ctx context.Context, method string, err error, attempt int) (time.Duration, bool) {
	var pe *panel.Error
	if method != http.MethodGet || attempt >= c.retries || ctx.Err() != nil || !errors.As(err, &pe) {
		return 0, false
	}
	var wait time.Duration
	switch {
	case errors.Is(pe, panel.ErrRateLimited) && pe.Status == http.StatusTooManyRequests:
		wait = max(pe.RetryAfter, time.Second)
		if wait > maxRetryWait {
			return 0, false
		}
	case errors.Is(pe, panel.ErrUnavailable):
		wait = retryPolicy.Delay(attempt)
	default:
		return 0, false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return 0, false
	}
	return wait, true
}

// networkError hides the request URL that *url.Error repeats.
func networkError(ctx context.Context, err error) *panel.Error {
	cause := httpapi.StripURL(err)
	if ctx.Err() != nil {
		cause = ctx.Err()
	}
	return &panel.Error{Kind: panel.ErrUnavailable, Detail: "no answer from the panel", Err: cause}
}

// withCause records why waiting for a retry stopped, keeping the failure's kind.
func withCause(err, cause error) error {
	var pe *panel.Error
	if errors.As(err, &pe) && pe.Err == nil {
		pe.Err = cause
	}
	return err
}

// withOp names what the bot was doing on an error from do.
func withOp(err error, op string) error {
	var pe *panel.Error
	if errors.As(err, &pe) && pe.Op == "" {
		pe.Op = op
	}
	return err
}

// pathOnly drops the query string: error text carries the path only.
func pathOnly(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return "/api/client" + path
}
