// Package pterodactyl drives the client API (/api/client) of a Pterodactyl
// or Pelican panel with a user's ptlc_ key: it lists the servers the key can
// see, reads their live resources, sends power signals and console commands,
// and hands the console relay the credentials of the node's websocket.
package pterodactyl

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

// Defaults, chosen from the documented figures: 240 requests a minute is the
// lowest a host is known to configure (Pterodactyl's own default is 720,
// Pelican's 256), so the bot stays under every one of them.
const (
	defaultPerMinute = 240
	defaultBurst     = 4
	defaultTimeout   = 10 * time.Second
	defaultRetries   = 2
	// maxRetryWait caps how long a GET waits on a 429's Retry-After before
	// giving the rate-limit error back: a /status user will not wait longer.
	maxRetryWait = 5 * time.Second
	// limitsTTL is how long server limits (from the list or the details
	// endpoint) are reused: they change only when the host edits the plan.
	limitsTTL = 5 * time.Minute
	// maxPages bounds the server list against a panel whose pagination lies.
	maxPages = 50
	perPage  = 100
	// maxBody bounds what is read from one answer (a page of 100 servers
	// with relationships is well under this).
	maxBody = 4 << 20
)

// The panel kinds this package speaks to; they share the client API.
const (
	KindPterodactyl = "pterodactyl"
	KindPelican     = "pelican"
)

// Client talks to one panel account. It is safe for concurrent use: every
// request, from any goroutine, takes its turn in one bucket.
type Client struct {
	key       string
	kind      string
	api       httpapi.Client // base: panel URL + "/api/client"
	perMinute int
	bucket    *httpapi.Bucket
	window    window // the panel's rate-limit window, as its headers tell it

	mu     sync.Mutex
	limits map[string]limitsAt // by the id callers use
}

var (
	_ panel.Client             = (*Client)(nil)
	_ panel.SocketCredentialer = (*Client)(nil)
)

// Option configures a Client; New reports a bad one as a configuration error.
type Option func(*Client) error

// WithHTTPClient sets the HTTP client (proxies, custom TLS). The client is
// copied and redirects are refused on the copy, so the key never follows a
// redirect to another host.
func WithHTTPClient(hc *http.Client) Option { return funnel(httpapi.WithHTTPClient(hc)) }

// WithRateLimit sets how many requests a minute the client allows itself
// (default 240). Use the figure your host documents if it is lower.
func WithRateLimit(perMinute int) Option {
	return func(c *Client) error {
		if perMinute < 1 {
			return fmt.Errorf("WithRateLimit: %d requests a minute: use at least 1", perMinute)
		}
		c.perMinute = perMinute
		return nil
	}
}

// WithTimeout bounds each call, retries and waits included (default 10 s).
func WithTimeout(d time.Duration) Option { return funnel(httpapi.WithTimeout(d)) }

// WithMaxRetries sets how many times a failed GET is tried again (default 2).
// Power signals and commands are never retried.
func WithMaxRetries(n int) Option {
	return func(c *Client) error {
		if n < 0 || n > 10 {
			return fmt.Errorf("WithMaxRetries: %d: use 0 to 10", n)
		}
		c.api.Retry.Tries = n
		return nil
	}
}

// WithKind says which panel this is, "pterodactyl" (default) or "pelican";
// Kind reports it and user messages name it.
func WithKind(kind string) Option {
	return func(c *Client) error {
		switch k := strings.ToLower(strings.TrimSpace(kind)); k {
		case KindPterodactyl, KindPelican:
			c.kind = k
			return nil
		default:
			return fmt.Errorf("WithKind: %q: use %q or %q", kind, KindPterodactyl, KindPelican)
		}
	}
}

// WithClock sets the clock the client waits on (its pace, the panel's
// rate-limit window, retries) and ages its limits cache by (default the
// wall clock); tests pass a hand-moved one (internal/manualclock).
func WithClock(clk clock.Clock) Option { return funnel(httpapi.WithClock(clk)) }

// funnel applies one of the options every panel client offers alike.
func funnel(s httpapi.Setting) Option { return func(c *Client) error { return s(&c.api) } }

// New returns a client for the panel at baseURL (the address users open in a
// browser, e.g. https://panel.example.com) using a client API key (ptlc_…).
func New(baseURL, apiKey string, opts ...Option) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, configError(err.Error())
	}
	if err := checkKey(apiKey); err != nil {
		return nil, err
	}
	c := &Client{key: apiKey, kind: KindPterodactyl, perMinute: defaultPerMinute, limits: make(map[string]limitsAt)}
	c.api = c.newAPI(base)
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, configError(err.Error())
		}
	}
	c.api.Panel = c.displayName()
	c.bucket = c.api.NewBucket(c.perMinute, defaultBurst, panelWindow)
	return c, nil
}

// Kind reports "pterodactyl" or "pelican".
func (c *Client) Kind() string { return c.kind }

// Features: both panels have live resources, console commands and the
// Wings console websocket.
func (c *Client) Features() panel.Features {
	return panel.Features(panel.FeatureResources | panel.FeatureCommand | panel.FeatureConsole)
}

// displayName names the panel in user sentences.
func (c *Client) displayName() string {
	if c.kind == KindPelican {
		return "Pelican"
	}
	return "Pterodactyl"
}

// parseBaseURL reads PANEL_URL, which has no default: an example stands in
// the messages.
func parseBaseURL(raw string) (*url.URL, error) {
	const example = "https://panel.example.com"
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("the panel URL must be an absolute http(s) address such as " + example)
	}
	u, err := httpapi.BaseURL(raw, example, "the panel URL")
	if err != nil {
		return nil, err
	}
	// Owners often paste the API address itself; the client adds it anyway.
	u.Path = strings.TrimSuffix(u.Path, "/api/client") + "/api/client"
	return u, nil
}

func checkKey(key string) error {
	switch {
	case strings.TrimSpace(key) == "":
		return configError("the panel API key is empty: create a client API key (ptlc_…) under Account → API Credentials on the panel")
	case isApplicationKey(key):
		return configError("the panel API key is an application (admin) key (ptla_…, or peli_… or papp_… on Pelican), which the client API refuses: " +
			"create a client API key (ptlc_…, or pacc_… on Pelican) under Account → API Credentials")
	case strings.ContainsAny(key, " \t\r\n"):
		return configError("the panel API key contains spaces or line breaks: paste the key alone")
	}
	return nil
}

// isApplicationKey tells an application (admin) key by its prefix:
// Pterodactyl's ptla_, Pelican's peli_ (older releases) and papp_ (newer).
func isApplicationKey(key string) bool {
	for _, p := range []string{"ptla_", "peli_", "papp_"} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func configError(msg string) *panel.Error {
	return &panel.Error{Class: panel.ErrConfig, Op: "configure pterodactyl client", Detail: msg,
		Message: "The bot's panel settings are wrong: " + msg + "."}
}
