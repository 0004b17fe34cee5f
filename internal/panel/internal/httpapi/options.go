package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
)

// Setting is an option that every panel client offers alike and applies to
// its funnel. Each client's Option wraps it, so that the client's New
// reports a bad one in its own words; the error names the option.
type Setting func(*Client) error

// WithHTTPClient sets the HTTP client (proxies, TLS). It is copied and the
// copy refuses redirects: the credential must not follow one to another
// host, and a redirect means the configured URL is not the API's address.
// The caller's client is left as it was.
func WithHTTPClient(hc *http.Client) Setting {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("WithHTTPClient: the HTTP client is nil")
		}
		cp := *hc
		cp.CheckRedirect = noRedirects
		c.hc = &cp
		return nil
	}
}

// WithTimeout bounds each call as a whole: its wait for a turn, every
// attempt and the pauses between them (see Client.Timeout).
func WithTimeout(d time.Duration) Setting {
	return func(c *Client) error { return setPositive(&c.Timeout, "WithTimeout", d) }
}

// WithMaxQueueWait bounds how long a request waits for its turn (see
// Client.MaxWait).
func WithMaxQueueWait(d time.Duration) Setting {
	return func(c *Client) error { return setPositive(&c.MaxWait, "WithMaxQueueWait", d) }
}

// WithRetries sets how often a failed GET is tried again and the first
// pause between tries, which doubles per try: 0 to 10 tries and a
// non-negative pause.
func WithRetries(n int, first time.Duration) Setting {
	return func(c *Client) error { return c.Retry.set(n, first) }
}

// WithClock sets the clock every wait is taken on and every panel time is
// read against: in tests, a hand-moved one (internal/manualclock).
func WithClock(clk clock.Clock) Setting {
	return func(c *Client) error {
		if clk == nil {
			return errors.New("WithClock: the clock is nil")
		}
		c.Clock = clk
		return nil
	}
}

// setPositive stores a duration that only makes sense when positive (a
// timeout, a queue wait); option names it in the error.
func setPositive(dst *time.Duration, option string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s: %s: use a positive duration", option, d)
	}
	*dst = d
	return nil
}

// Bearer is the Auth of a panel that takes one fixed token: sent as
// "Bearer <token>" on every request, with nothing to renew.
func Bearer(token string) func(context.Context, *http.Request) (func() bool, error) {
	return func(_ context.Context, req *http.Request) (func() bool, error) {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil, nil
	}
}

// BaseURL reads the API address an owner configured ("" for def, the
// documented one). It refuses what cannot be the API's address — a relative
// or non-http(s) URL, credentials, a query or a fragment — with a sentence
// that names the setting (what, "the zampto API URL") and shows def.
func BaseURL(raw, def, what string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s must be an absolute http(s) address such as %s", what, def)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s must not hold credentials, a query or a fragment: use %s", what, def)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// IsSpaceOrControl marks what cannot stand in a credential or an ID: spaces,
// line breaks and control characters, which pasting often brings along.
func IsSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }
