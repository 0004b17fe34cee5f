// Package zampto drives zampto's Server Power Actions API
// (https://apiserver.zampto.net): it lists the servers of an account and
// sends them power signals. zampto reports neither live status nor a
// console, so the client declares no features beyond listing and power.
package zampto

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// Kind is what Client.Kind reports and what configuration calls this panel.
const Kind = "zampto"

// DefaultBaseURL is the API's documented address, used when New is given "".
const DefaultBaseURL = "https://apiserver.zampto.net"

// The documented limit is 5 requests per 10 seconds; the timeout, queue wait
// and retries are the funnel's defaults (httpapi.NewClient).
const (
	defaultLimit    = 5
	defaultWindow   = 10 * time.Second
	keysPage        = "https://dash.zampto.net/settings/api"
	userAgentHeader = "panelbot (zampto client)"
)

// Client talks to the zampto API with one account's key. It is safe for
// concurrent use: every request, from any goroutine, queues in one limiter.
type Client struct {
	token  string
	api    httpapi.Client
	limitN int
	limitW time.Duration
	queue  *httpapi.Bucket
}

var _ panel.Client = (*Client)(nil)

// Option configures a Client; New reports a bad one as a configuration error.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client (proxy, TLS). It is copied, and the
// copy refuses redirects so the key never follows one to another host.
func WithHTTPClient(hc *http.Client) Option { return funnel(httpapi.WithHTTPClient(hc)) }

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

// WithTimeout bounds each call as a whole (default 15 s): its wait for a
// turn in the queue, every attempt and the pauses between retries. A call
// whose turn would come too late fails at once with ErrRateLimited.
func WithTimeout(d time.Duration) Option { return funnel(httpapi.WithTimeout(d)) }

// WithMaxQueueWait bounds how long a request waits for its turn (default
// 30 s; the call's timeout, when shorter, bounds it too): past it, the call
// fails at once with ErrRateLimited instead of queueing.
func WithMaxQueueWait(d time.Duration) Option { return funnel(httpapi.WithMaxQueueWait(d)) }

// WithRetries sets how often a failed GET (network error, 5xx, 429) is tried
// again (default 2) and the first pause between tries (default 500 ms,
// doubling). Power signals are never retried.
func WithRetries(n int, backoff time.Duration) Option { return funnel(httpapi.WithRetries(n, backoff)) }

// WithClock sets the clock the client waits on and reads 429 times
// against (default the wall clock); tests pass a hand-moved one.
func WithClock(clk clock.Clock) Option { return funnel(httpapi.WithClock(clk)) }

// funnel applies one of the options every panel client offers alike.
func funnel(s httpapi.Setting) Option { return func(c *Client) error { return s(&c.api) } }

// New returns a client for the zampto API at baseURL ("" for the documented
// https://apiserver.zampto.net) using an API key from the dashboard.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	base, err := httpapi.BaseURL(baseURL, DefaultBaseURL, "the zampto API URL")
	if err != nil {
		return nil, configError(err.Error())
	}
	if err := checkToken(token); err != nil {
		return nil, configError(err.Error())
	}
	c := &Client{token: token, limitN: defaultLimit, limitW: defaultWindow}
	// The funnel with zampto's rules: the token, its status table and its
	// sentences; the defaults are the funnel's.
	c.api = httpapi.NewClient("zampto", base, userAgentHeader)
	c.api.Auth, c.api.StatusError, c.api.Unexpected, c.api.QueueFull = httpapi.Bearer(token), c.statusError, c.unexpected, c.queueFull
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, configError(err.Error())
		}
	}
	c.queue = c.api.NewBucket(c.limitN, c.limitN, c.limitW)
	return c, nil
}

// Kind reports "zampto".
func (c *Client) Kind() string { return Kind }

// Features is empty: zampto's API has no live status, no console commands
// and no console stream, only the list and power signals.
func (c *Client) Features() panel.Features { return 0 }

func checkToken(token string) error {
	switch {
	case token == "":
		return fmt.Errorf("the zampto API key is empty: create one at %s", keysPage)
	case strings.HasPrefix(strings.ToLower(token), "bearer "):
		return errors.New(`the zampto API key starts with "Bearer": set the key alone, the bot adds "Bearer"`)
	case strings.IndexFunc(token, httpapi.IsSpaceOrControl) >= 0:
		return errors.New("the zampto API key contains spaces, line breaks or control characters: paste the key alone")
	}
	return nil
}

func configError(msg string) *panel.Error {
	return &panel.Error{Class: panel.ErrConfig, Op: "configure zampto client", Detail: msg,
		Message: "The bot's zampto settings are wrong: " + msg + "."}
}
