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

	"github.com/panelbot/panelbot/internal/panel"
)

// newRequest builds a request whose body, when payload is not nil, is that
// JSON. Its error must not reach the user as it is: net/http's repeats the
// whole URL.
func newRequest(ctx context.Context, method, rawURL string, payload []byte) (*http.Request, error) {
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

// encodeJSON encodes a request body once, before any attempt, so that a
// retry sends the same bytes; a nil body is no body.
func encodeJSON(op string, body any) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, &panel.Error{Class: panel.ErrInvalid, Op: op, Detail: "encoding the request", Err: err}
	}
	return b, nil
}

// readBody reads at most limit+1 bytes of the answer, so that the caller
// can tell one larger than limit from one that fits, then drains a little
// more so that the connection can be reused, and closes it.
func readBody(resp *http.Response, limit int) ([]byte, error) {
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

// noRedirects is a CheckRedirect that hands the redirect back instead of
// following it: the credential must not follow one to another host, and a
// redirect means the configured URL is not the API's address.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// looksHTML says an answer is a web page (a dashboard, a proxy's error, a
// login form, a maintenance page) rather than the API's JSON.
func looksHTML(h http.Header, body []byte) bool {
	if strings.Contains(strings.ToLower(h.Get("Content-Type")), "html") {
		return true
	}
	trimmed := bytes.TrimSpace(body)
	return len(trimmed) > 0 && trimmed[0] == '<'
}
