package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
)

// The names below serve the clients not yet on the funnel (Pterodactyl,
// Shardlyn) and go when they move onto Client.Do.

// Sleep waits d on the wall clock, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error { return backoff.Sleep(ctx, clock.Real{}, d) }

// NewRequest builds a request with a JSON payload (see newRequest).
func NewRequest(ctx context.Context, method, rawURL string, payload []byte) (*http.Request, error) {
	return newRequest(ctx, method, rawURL, payload)
}

// EncodeJSON encodes a request body once (see encodeJSON).
func EncodeJSON(op string, body any) ([]byte, error) { return encodeJSON(op, body) }

// ReadBody reads a bounded answer and closes it (see readBody).
func ReadBody(resp *http.Response, limit int) ([]byte, error) { return readBody(resp, limit) }

// StripURL drops the URL a *url.Error repeats (see stripURL).
func StripURL(err error) error { return stripURL(err) }

// LooksHTML says an answer is a web page (see looksHTML).
func LooksHTML(h http.Header, body []byte) bool { return looksHTML(h, body) }

// SetHTTPClient stores a copy of hc (see WithHTTPClient).
func SetHTTPClient(dst **http.Client, hc *http.Client) error {
	var c Client
	if err := WithHTTPClient(hc)(&c); err != nil {
		return err
	}
	*dst = c.HC
	return nil
}

// SetPositive stores a positive duration (see setPositive).
func SetPositive(dst *time.Duration, option string, d time.Duration) error {
	return setPositive(dst, option, d)
}
