// Package shardlyn drives the instances of a Shardlyn control plane
// (api.shardlyn.com) through its REST API: list, power, live stats,
// console commands, and the address and credential of an instance's log
// websocket and its log history for the console relay. It authenticates with an API token, or logs in with an
// email and password and keeps the 15-minute access token fresh itself.
package shardlyn

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

const (
	// DefaultBaseURL is the hosted control plane's API, used when the
	// config names none.
	DefaultBaseURL = "https://api.shardlyn.com"
	// kind names this panel in config, logs and messages.
	kind           = "shardlyn"
	userAgent      = "panelbot (shardlyn client)"
	defaultTimeout = 10 * time.Second
	// The document leaves the general limit to each deployment; a bot
	// needs far less than the 100 of its example headers.
	defaultRPS   = 5
	defaultBurst = 10
)

// Client is one Shardlyn account. It is safe for concurrent use: every
// request, from any goroutine, takes its turn in one bucket.
type Client struct {
	base   *url.URL
	auth   Auth
	api    httpapi.Client
	clk    sleepClock // WithClock and WithSleep, until New makes them api.Clock
	log    *slog.Logger
	rps    float64
	burst  int
	bucket *httpapi.Bucket
	sess   *session
}

var _ panel.Client = (*Client)(nil)

// New checks the base URL and the form of the credentials and returns a
// client; it does not contact Shardlyn. An empty baseURL means
// DefaultBaseURL.
func New(baseURL string, auth Auth, opts ...Option) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if err := auth.validate(); err != nil {
		return nil, err
	}
	c := &Client{base: base, auth: auth, log: slog.New(slog.DiscardHandler), rps: defaultRPS, burst: defaultBurst}
	c.api = c.newAPI(base)
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, configError("Shardlyn client option: " + err.Error())
		}
	}
	if c.clk.now != nil || c.clk.sleep != nil {
		c.api.Clock = c.clk.complete()
	}
	c.bucket = c.api.NewRateBucket(c.rps, c.burst)
	c.sess = newSession(c)
	return c, nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, configError("The Shardlyn URL must look like " + DefaultBaseURL + ".")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, configError("The Shardlyn URL must not contain a user, a query or a fragment; use " + DefaultBaseURL + ".")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, configError("The Shardlyn URL must use https, so that the token is not sent in clear.")
	}
	// The endpoints are written with their /v1 prefix; a base pasted with
	// it (or a trailing slash) would double it.
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v1")
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Kind names the panel kind.
func (c *Client) Kind() string { return kind }

// Features: live stats, the live console (the log websocket) and console
// commands (the interactive console websocket, see Command).
func (c *Client) Features() panel.Features {
	return panel.Features(panel.FeatureResources | panel.FeatureConsole | panel.FeatureCommand)
}

// Servers lists every instance the account can see.
func (c *Client) Servers(ctx context.Context) ([]panel.Server, error) {
	const op = "list instances"
	var raw json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodGet, Path: "/v1/instances"}, &raw); err != nil {
		return nil, err
	}
	items, err := decodeList(raw)
	if err != nil {
		return nil, badResponse(op, err)
	}
	servers := make([]panel.Server, 0, len(items))
	for _, item := range items {
		in, err := decodeInstance(item)
		if err != nil {
			return nil, badResponse(op, err)
		}
		servers = append(servers, in.server())
	}
	return servers, nil
}

// Resources reports an instance's state, with live figures when it runs.
// The instance and its stats are two requests that share one timeout.
func (c *Client) Resources(ctx context.Context, id string) (panel.Resources, error) {
	ctx, cancel := c.api.Bound(ctx)
	defer cancel()
	in, err := c.instance(ctx, id)
	if err != nil {
		return panel.Resources{}, err
	}
	res := in.resources()
	if !hasStats(res.State) {
		return res, nil
	}
	op := "stats " + id
	var raw json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodGet, Path: instancePath(id, "stats")}, &raw); err != nil {
		return panel.Resources{}, err
	}
	live, err := decodeStats(raw)
	if err != nil {
		return panel.Resources{}, badResponse(op, err)
	}
	live.State, live.Suspended, live.Live = res.State, res.Suspended, true
	return live, nil
}

func (c *Client) instance(ctx context.Context, id string) (instanceJSON, error) {
	op := "get instance " + id
	if err := checkID(op, id); err != nil {
		return instanceJSON{}, err
	}
	var raw json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodGet, Path: instancePath(id, "")}, &raw); err != nil {
		return instanceJSON{}, err
	}
	in, err := decodeInstance(unwrapObject(raw, "instance"))
	if err != nil {
		return instanceJSON{}, badResponse(op, err)
	}
	return in, nil
}

// Power sends start, stop, restart or kill; each is its own endpoint. It is
// never resent, except once after a 401 (the panel refused before acting).
func (c *Client) Power(ctx context.Context, id string, s panel.Signal) error {
	op := fmt.Sprintf("power %s %s", s, id)
	if _, err := panel.ParseSignal(string(s)); err != nil {
		return &panel.Error{Class: panel.ErrInvalid, Op: op, Detail: err.Error()}
	}
	if err := checkID(op, id); err != nil {
		return err
	}
	return c.do(ctx, httpapi.Request{Op: op, Method: http.MethodPost, Path: instancePath(id, string(s))}, nil)
}

func instancePath(id, action string) string {
	p := "/v1/instances/" + url.PathEscape(id)
	if action != "" {
		p += "/" + action
	}
	return p
}

// checkID refuses ids that cannot be a Shardlyn instance before they reach
// a URL.
func checkID(op, id string) error {
	if id == "" || id == "." || id == ".." || len(id) > 128 || strings.ContainsAny(id, "/?#") || strings.IndexFunc(id, httpapi.IsSpaceOrControl) >= 0 {
		return &panel.Error{Class: panel.ErrNotFound, Op: op, Detail: "malformed instance id",
			Message: "That is not a Shardlyn instance id. Check the name with /servers."}
	}
	return nil
}

func badResponse(op string, err error) error {
	return &panel.Error{Class: panel.ErrBadResponse, Op: op, Detail: err.Error()}
}

// unwrapObject accepts {"instance": {...}} as well as the bare object.
func unwrapObject(raw []byte, key string) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil && len(obj) == 1 {
		if inner, ok := obj[key]; ok {
			return inner
		}
	}
	return raw
}
