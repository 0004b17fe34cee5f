// Package serverprism drives ServerPrism's client API
// (https://serverprism.com/api/v1/client) with a personal access token: it
// lists the customer's servers, reads their best-effort live resources,
// sends power signals and single console commands. ServerPrism has no
// console stream.
package serverprism

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// Kind is what Client.Kind reports and what configuration calls this panel.
const Kind = "serverprism"

// DefaultBaseURL is the documented address, used when New is given "".
const DefaultBaseURL = "https://serverprism.com"

// The documented limits are per customer and per minute: 60 reads (GET) and
// 20 writes (power and command). The timeout, queue wait and retries are the
// funnel's defaults (httpapi.NewClient).
const (
	defaultReads      = 60
	defaultWrites     = 20
	defaultWindow     = time.Minute
	defaultNameLookup = 10
	apiPath           = "/api/v1/client"
	tokensPage        = "Account → API Credentials on serverprism.com"
	userAgentHeader   = "panelbot (serverprism client)"
)

// Client talks to ServerPrism with one customer's token. It is safe for
// concurrent use: every GET queues in the read bucket, every POST in the
// write bucket, as ServerPrism counts them.
type Client struct {
	token   string
	api     httpapi.Client
	readN   int
	writeN  int
	window  time.Duration
	lookups int
	read    *httpapi.Bucket
	write   *httpapi.Bucket

	mu    sync.Mutex
	known map[string]known // what the details endpoint told, by server ID
}

// known is what the details endpoint told about a server that the list
// does not: its own name and its limits.
type known struct {
	name   string
	limits panel.Limits
}

var _ panel.Client = (*Client)(nil)

// Option configures a Client; New reports a bad one as a configuration error.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client (proxy, TLS). It is copied, and the
// copy refuses redirects so the token never follows one to another host.
func WithHTTPClient(hc *http.Client) Option { return funnel(httpapi.WithHTTPClient(hc)) }

// WithRateLimits sets the buckets the client keeps to: at most reads GETs
// and writes POSTs in any window of length per (default 60 and 20 per
// minute, as documented). Use it if ServerPrism raised your limits, or in
// tests to shrink time.
func WithRateLimits(reads, writes int, per time.Duration) Option {
	return func(c *Client) error {
		if reads < 1 || writes < 1 || reads > 100000 || writes > 100000 || per <= 0 {
			return fmt.Errorf("WithRateLimits: %d reads and %d writes per %s: use 1 to 100000 per positive duration", reads, writes, per)
		}
		c.readN, c.writeN, c.window = reads, writes, per
		return nil
	}
}

// WithTimeout bounds each call as a whole (default 15 s): its wait for a
// turn in the bucket, every attempt and the pauses between retries (and, for
// Servers, the name lookups). A call whose turn would come too late fails
// at once with ErrRateLimited.
func WithTimeout(d time.Duration) Option { return funnel(httpapi.WithTimeout(d)) }

// WithMaxQueueWait bounds how long a request waits for its turn (default
// 30 s; the call's timeout, when shorter, bounds it too): past it the call
// fails at once with ErrRateLimited.
func WithMaxQueueWait(d time.Duration) Option { return funnel(httpapi.WithMaxQueueWait(d)) }

// WithRetries sets how often a failed GET (network error, 5xx, 503, 429) is
// tried again (default 2) and the first pause (default 500 ms, doubling).
// Power signals and commands are never retried.
func WithRetries(n int, backoff time.Duration) Option { return funnel(httpapi.WithRetries(n, backoff)) }

// WithClock sets the clock the client waits on and reads 429 times
// against (default the wall clock); tests pass a hand-moved one.
func WithClock(clk clock.Clock) Option { return funnel(httpapi.WithClock(clk)) }

// funnel applies one of the options every panel client offers alike.
func funnel(s httpapi.Setting) Option { return func(c *Client) error { return s(&c.api) } }

// WithNameLookups sets how many servers a Servers call may look up to learn
// their names (default 10; 0 never). The list only names the product
// ("Minecraft 4 GB"); each name is fetched once and remembered.
func WithNameLookups(n int) Option {
	return func(c *Client) error {
		if n < 0 || n > 100 {
			return fmt.Errorf("WithNameLookups: %d: use 0 to 100", n)
		}
		c.lookups = n
		return nil
	}
}

// New returns a client for ServerPrism at baseURL ("" for the documented
// https://serverprism.com) using a personal access token.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, configError(err.Error())
	}
	if err := checkToken(token); err != nil {
		return nil, configError(err.Error())
	}
	c := &Client{
		token: token,
		readN: defaultReads, writeN: defaultWrites, window: defaultWindow, lookups: defaultNameLookup,
		known: make(map[string]known),
	}
	// The funnel with ServerPrism's rules: the token, its status table and its
	// sentences; the defaults are the funnel's.
	c.api = httpapi.NewClient("ServerPrism", base.JoinPath(apiPath), userAgentHeader)
	c.api.Auth, c.api.StatusError, c.api.Unexpected, c.api.QueueFull = httpapi.Bearer(token), c.statusError, c.unexpected, c.queueFull
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, configError(err.Error())
		}
	}
	c.read = c.api.NewBucket(c.readN, c.readN, c.window)
	c.write = c.api.NewBucket(c.writeN, c.writeN, c.window)
	return c, nil
}

// Kind reports "serverprism".
func (c *Client) Kind() string { return Kind }

// Features: live resources (best effort) and console commands; there is no
// console stream.
func (c *Client) Features() panel.Features {
	return panel.Features(panel.FeatureResources | panel.FeatureCommand)
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := httpapi.BaseURL(raw, DefaultBaseURL, "the ServerPrism URL")
	if err != nil {
		return nil, err
	}
	// Owners often paste the API address itself; the client adds it anyway.
	u.Path = strings.TrimSuffix(u.Path, apiPath)
	return u, nil
}

func checkToken(token string) error {
	switch {
	case token == "":
		return fmt.Errorf("the ServerPrism API token is empty: create one under %s", tokensPage)
	case strings.HasPrefix(strings.ToLower(token), "bearer "):
		return errors.New(`the ServerPrism API token starts with "Bearer": set the token alone, the bot adds "Bearer"`)
	case strings.IndexFunc(token, httpapi.IsSpaceOrControl) >= 0:
		return errors.New("the ServerPrism API token contains spaces, line breaks or control characters: paste the token alone")
	}
	return nil
}

func configError(msg string) *panel.Error {
	return &panel.Error{Class: panel.ErrConfig, Op: "configure serverprism client", Detail: msg,
		Message: "The bot's ServerPrism settings are wrong: " + msg + "."}
}
