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
// the timeout of one call and the name of the panel for the user's
// sentence. It is what the zampto and ServerPrism funnels share below their
// queues and above their status checks.
type Caller struct {
	Panel string // names the panel in messages: "zampto"
	HC    *http.Client
	// Timeout bounds one whole call (see Bound): its wait in the queue,
	// every attempt and the pauses between them, so that a silent panel
	// costs the caller Timeout and not Timeout per retry.
	Timeout time.Duration
	// MaxBody bounds what is read of an answer; a longer one is read one
	// byte further, for the caller to refuse by its length.
	MaxBody int
}

// errTimedOut is the cause of a call that outlived its Timeout; it tells
// "the panel did not answer in time" from "the caller gave up".
var errTimedOut = errors.New("the call's timeout expired")

// Bound limits ctx to Timeout for one whole call. A funnel calls it once,
// before its first wait and its first attempt, and hands the result to
// every attempt and every pause, so that retries share one budget.
func (c *Caller) Bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, c.Timeout, errTimedOut)
}

// Exchange sends the request that build makes and reads its answer. ctx
// should come from Bound; Exchange still keeps the request itself within
// Timeout, so that no request goes unbounded. A request that gets no
// answer fails with ErrUnavailable saying whether the caller gave up or the
// panel did not answer in time; build's own error is returned as it is.
func (c *Caller) Exchange(ctx context.Context, op string, build func(context.Context) (*http.Request, error)) (*http.Response, []byte, error) {
	rctx, cancel := context.WithTimeoutCause(ctx, c.Timeout, errTimedOut)
	defer cancel()
	req, err := build(rctx)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.HC.Do(req)
	if err != nil {
		return nil, nil, c.networkError(rctx, op, err)
	}
	body, err := ReadBody(resp, c.MaxBody)
	if err != nil {
		return nil, nil, c.networkError(rctx, op, err)
	}
	return resp, body, nil
}

// networkError hides the request URL that *url.Error repeats and says
// whether the caller gave up or the panel did not answer in time. ctx is
// the request's own context: its cause tells the two apart.
func (c *Caller) networkError(ctx context.Context, op string, err error) *panel.Error {
	e := &panel.Error{Kind: panel.ErrUnavailable, Op: op, Detail: "no answer from " + c.Panel, Err: StripURL(err)}
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
