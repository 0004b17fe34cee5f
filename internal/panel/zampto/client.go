// Package zampto drives zampto's Server Power Actions API
// (https://apiserver.zampto.net): it lists the servers of an account and
// sends them power signals. zampto reports neither live status nor a
// console, so the client declares no features beyond listing and power.
package zampto

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// Kind is what Client.Kind reports and what configuration calls this panel.
const Kind = "zampto"

// DefaultBaseURL is the API's documented address, used when New is given "".
const DefaultBaseURL = "https://apiserver.zampto.net"

// The documented limit is 5 requests per 10 seconds; the other defaults keep
// a Discord command within the 15 minutes its deferred reply may take while
// telling the user quickly when the queue is too long.
const (
	defaultLimit    = 5
	defaultWindow   = 10 * time.Second
	defaultTimeout  = 15 * time.Second
	defaultMaxWait  = 30 * time.Second
	defaultRetries  = 2
	defaultBackoff  = 500 * time.Millisecond
	maxRetryAfter   = 15 * time.Second
	maxBody         = 1 << 20
	keysPage        = "https://dash.zampto.net/settings/api"
	userAgentHeader = "panelbot (zampto client)"
)

// Client talks to the zampto API with one account's key. It is safe for
// concurrent use: every request, from any goroutine, queues in one limiter.
type Client struct {
	base    *url.URL
	token   string
	hc      *http.Client
	timeout time.Duration
	maxWait time.Duration
	retries int
	backoff time.Duration
	limitN  int
	limitW  time.Duration
	queue   *bucket
}

var _ panel.Client = (*Client)(nil)

// Option configures a Client; New reports a bad one as a configuration error.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client (proxy, TLS). It is copied, and the
// copy refuses redirects so the key never follows one to another host.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("WithHTTPClient: the HTTP client is nil")
		}
		cp := *hc
		c.hc = &cp
		return nil
	}
}

// WithRateLimit sets the limit the client keeps to: at most n requests in
// any window of length per (default 5 per 10 s, as documented). Use it when
// zampto grants the account a higher limit, or in tests to shrink time.
func WithRateLimit(n int, per time.Duration) Option {
	return func(c *Client) error {
		if n < 1 || n > 10000 || per <= 0 {
			return fmt.Errorf("WithRateLimit: %d per %s: use 1 to 10000 requests per positive duration", n, per)
		}
		c.limitN, c.limitW = n, per
		return nil
	}
}

// WithTimeout bounds each HTTP request, once its turn in the queue has come
// (default 15 s).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("WithTimeout: %s: use a positive duration", d)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxQueueWait bounds how long a request waits for its turn when the
// caller's context has no earlier deadline (default 30 s): past it, the call
// fails at once with ErrRateLimited instead of queueing.
func WithMaxQueueWait(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("WithMaxQueueWait: %s: use a positive duration", d)
		}
		c.maxWait = d
		return nil
	}
}

// WithRetries sets how often a failed GET (network error, 5xx, 429) is tried
// again (default 2) and the first pause between tries (default 500 ms,
// doubling). Power signals are never retried.
func WithRetries(n int, backoff time.Duration) Option {
	return func(c *Client) error {
		if n < 0 || n > 10 || backoff < 0 {
			return fmt.Errorf("WithRetries: %d tries after %s: use 0 to 10 and a non-negative pause", n, backoff)
		}
		c.retries, c.backoff = n, backoff
		return nil
	}
}

// New returns a client for the zampto API at baseURL ("" for the documented
// https://apiserver.zampto.net) using an API key from the dashboard.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, configError(err.Error())
	}
	if err := checkToken(token); err != nil {
		return nil, configError(err.Error())
	}
	c := &Client{
		base: base, token: token, hc: &http.Client{},
		timeout: defaultTimeout, maxWait: defaultMaxWait,
		retries: defaultRetries, backoff: defaultBackoff,
		limitN: defaultLimit, limitW: defaultWindow,
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, configError(err.Error())
		}
	}
	c.queue = newBucket(c.limitN, c.limitW, c.maxWait)
	// A redirect means the base URL is not the API's address: report it
	// rather than follow it with the key.
	c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c, nil
}

// Kind reports "zampto".
func (c *Client) Kind() string { return Kind }

// Features is empty: zampto's API has no live status, no console commands
// and no console stream, only the list and power signals.
func (c *Client) Features() panel.Features { return 0 }

func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the zampto API URL must be an absolute http(s) address such as %s", DefaultBaseURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the zampto API URL must not hold credentials, a query or a fragment: use %s", DefaultBaseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func checkToken(token string) error {
	switch {
	case token == "":
		return fmt.Errorf("the zampto API key is empty: create one at %s", keysPage)
	case strings.HasPrefix(strings.ToLower(token), "bearer "):
		return errors.New(`the zampto API key starts with "Bearer": set the key alone, the bot adds "Bearer"`)
	case strings.IndexFunc(token, isSpaceOrControl) >= 0:
		return errors.New("the zampto API key contains spaces, line breaks or control characters: paste the key alone")
	}
	return nil
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }

func configError(msg string) *panel.Error {
	return &panel.Error{Kind: panel.ErrConfig, Op: "configure zampto client", Detail: msg,
		Message: "The bot's zampto settings are wrong: " + msg + "."}
}
