// Package httpapi is the client plumbing the panel clients share: the
// request queue sized from a documented rate limit, the retry policy that
// never resends a power signal, Retry-After parsing, redirect refusal,
// bounded answers, and error text that names neither a secret nor a full
// URL. Each client keeps its own funnel (do), its panel's status table and
// its user sentences; only what is the same for several of them lives here.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// Caller sends a client's requests and reads the answers: the HTTP client,
// the per-request timeout and the name of the panel for the user's
// sentence. It is what the zampto and ServerPrism funnels share below their
// queues and above their status checks.
type Caller struct {
	Panel   string // names the panel in messages: "zampto"
	HC      *http.Client
	Timeout time.Duration // bounds each request once its turn has come
	// MaxBody bounds what is read of an answer; a longer one is read one
	// byte further, for the caller to refuse by its length.
	MaxBody int
}

// Exchange sends the request that build makes (for a context bounded by
// Timeout) and reads its answer. A request that gets no answer fails with
// ErrUnavailable saying whether the caller gave up or the panel did not
// answer in time; build's own error is returned as it is.
func (c *Caller) Exchange(ctx context.Context, op string, build func(context.Context) (*http.Request, error)) (*http.Response, []byte, error) {
	rctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	req, err := build(rctx)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.HC.Do(req)
	if err != nil {
		return nil, nil, c.networkError(ctx, op, err)
	}
	body, err := ReadBody(resp, c.MaxBody)
	if err != nil {
		return nil, nil, c.networkError(ctx, op, err)
	}
	return resp, body, nil
}

// networkError hides the request URL that *url.Error repeats and says
// whether the caller gave up or the panel did not answer in time.
func (c *Caller) networkError(ctx context.Context, op string, err error) *panel.Error {
	e := &panel.Error{Kind: panel.ErrUnavailable, Op: op, Detail: "no answer from " + c.Panel, Err: StripURL(err)}
	switch {
	case ctx.Err() != nil:
		e.Err = ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		e.Detail = c.Panel + " did not answer within " + c.Timeout.String()
		e.Message = c.Panel + " did not answer in time. Try again in a minute."
	}
	return e
}

// NewRequest builds a request whose body, when payload is not nil, is that
// JSON. Its error must not reach the user as it is: net/http's repeats the
// whole URL. The caller adds its panel's headers.
func NewRequest(ctx context.Context, method, rawURL string, payload []byte) (*http.Request, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return nil, err
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// EncodeJSON encodes a request body once, before any attempt, so that a
// retry sends the same bytes; a nil body is no body.
func EncodeJSON(op string, body any) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, &panel.Error{Kind: panel.ErrInvalid, Op: op, Detail: "encoding the request", Err: err}
	}
	return b, nil
}

// ReadBody reads at most limit+1 bytes of the answer, so that the caller
// can tell one larger than limit from one that fits, then drains a little
// more so that the connection can be reused, and closes it.
func ReadBody(resp *http.Response, limit int) ([]byte, error) {
	defer func() {
		_, _ = io.CopyN(io.Discard, resp.Body, 4096)
		_ = resp.Body.Close()
	}()
	return io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
}

// StripURL returns the cause of a *url.Error, whose text repeats the full
// URL: error text names a path at most.
func StripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// NoRedirects is a CheckRedirect that hands the redirect back instead of
// following it: the credential must not follow one to another host, and a
// redirect means the configured URL is not the API's address.
func NoRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// LooksHTML says an answer is a web page (a dashboard, a proxy's error, a
// login form) rather than the API's JSON.
func LooksHTML(h http.Header, body []byte) bool {
	if strings.Contains(strings.ToLower(h.Get("Content-Type")), "html") {
		return true
	}
	trimmed := bytes.TrimSpace(body)
	return len(trimmed) > 0 && trimmed[0] == '<'
}
