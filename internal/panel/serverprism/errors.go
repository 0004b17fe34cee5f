package serverprism

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// maxDetail bounds ServerPrism's own explanation kept in an error.
const maxDetail = 300

// errorBody is ServerPrism's (Laravel's) error answer:
// {"message": "…", "errors": {"field": ["…"]}}.
type errorBody struct {
	Message string              `json:"message"`
	Errors  map[string][]string `json:"errors"`
}

// decodeError reads an error body; isJSON is false when the body is no JSON
// object (an HTML page from a proxy or a wrong URL).
func decodeError(body []byte) (msg string, isJSON bool) {
	var eb errorBody
	if !httpapi.DecodeObject(body, &eb) {
		return "", false
	}
	parts := []string{strings.TrimSpace(eb.Message)}
	fields := make([]string, 0, len(eb.Errors))
	for f := range eb.Errors {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		for _, m := range eb.Errors[f] {
			if m = strings.TrimSpace(m); m != "" && m != parts[0] {
				parts = append(parts, m)
			}
		}
	}
	return strings.TrimSpace(strings.Join(parts, " ")), true
}

// statusError maps a non-2xx answer onto a typed error with the sentence
// the ServerPrism situation deserves.
func (c *Client) statusError(r *httpapi.Request, resp *http.Response, body []byte) *panel.Error {
	status := resp.StatusCode
	msg, isJSON := decodeError(body)
	// Scrub before clipping, so no part of the token survives a cut.
	e := &panel.Error{Op: r.Op, Status: status, Detail: httpapi.Clip(httpapi.Scrub(msg, c.token, "[api token]"), maxDetail)}
	switch {
	case status == http.StatusTooManyRequests:
		e.Class, e.RetryAfter = panel.ErrRateLimited, httpapi.RetryAfterOr(resp.Header, c.api.Now(), c.window)
		e.Message = c.limitSentence(r) + " and the account reached that limit (another app may be using the same token); try again in " +
			secondsText(e.RetryAfter) + "."
	case status == http.StatusServiceUnavailable:
		e.Class = panel.ErrUnavailable
		e.Message = "The ServerPrism node behind this server is temporarily unavailable. Try again in a minute."
	case status >= 500:
		e.Class = panel.ErrUnavailable
	case status >= 300 && status < 400, !isJSON && len(bytes.TrimSpace(body)) > 0, status == http.StatusMethodNotAllowed,
		status == http.StatusNotFound && serverID(r) == "":
		return urlError(r.Op, status, fmt.Sprintf("HTTP %d from %s", status, r.Path))
	default:
		c.classify4xx(r, e)
	}
	return e
}

// classify4xx maps the client errors of ServerPrism's table (and 412).
func (c *Client) classify4xx(r *httpapi.Request, e *panel.Error) {
	switch e.Status {
	case http.StatusUnauthorized:
		e.Class = panel.ErrUnauthorized
		e.Message = "ServerPrism refused the bot's API token (missing, invalid or revoked). Ask the bot's owner to create a new token under " + tokensPage + "."
	case http.StatusForbidden:
		scope := scopeNamed(e.Detail, scopeOf(r))
		e.Class = panel.ErrForbidden
		e.Message = fmt.Sprintf("The bot's ServerPrism token lacks the %s scope, which %s needs. Ask the bot's owner to create a token with %s under %s.",
			scope, scopeUse(scope), scope, tokensPage)
	case http.StatusNotFound:
		e.Class = panel.ErrNotFound
		e.Message = fmt.Sprintf("ServerPrism has no server %s on the bot's account (or it belongs to another customer). Check the list with /servers.", httpapi.Clip(serverID(r), 32))
	case http.StatusPreconditionFailed:
		e.Class = panel.ErrOffline
		e.Message = "The server is not running, so ServerPrism cannot pass it a command. Start it first, then send the command."
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		e.Class = panel.ErrInvalid
	default:
		e.Class = panel.ErrBadResponse
	}
}

// scopeNamed is the scope a 403 names, or else the one the endpoint is
// documented to need.
func scopeNamed(detail, fallback string) string {
	for _, s := range []string{scopeControl, scopeRead} {
		if strings.Contains(detail, s) {
			return s
		}
	}
	return fallback
}

func scopeUse(scope string) string {
	if scope == scopeControl {
		return "sending power signals and console commands"
	}
	return "listing servers and reading their status"
}

// limitSentence says which documented limit a request counts against.
func (c *Client) limitSentence(r *httpapi.Request) string {
	if isWrite(r) {
		return fmt.Sprintf("ServerPrism allows only %d power signals and console commands %s", c.writeN, httpapi.Per(c.window))
	}
	return fmt.Sprintf("ServerPrism allows only %d server and status requests %s", c.readN, httpapi.Per(c.window))
}

func secondsText(d time.Duration) string { return strconv.Itoa(httpapi.Seconds(d)) + " s" }

// urlError reports an answer that cannot come from the API: the base URL
// points somewhere else.
func urlError(op string, status int, detail string) *panel.Error {
	return &panel.Error{Class: panel.ErrConfig, Op: op, Status: status, Detail: detail,
		Message: "The bot's ServerPrism URL does not lead to the API. Ask the bot's owner to set it to " + DefaultBaseURL + "."}
}

func badResponse(op string, status int, detail string) *panel.Error {
	return &panel.Error{Class: panel.ErrBadResponse, Op: op, Status: status, Detail: detail}
}

// unexpected words an answer that is not ServerPrism's API.
func (c *Client) unexpected(r *httpapi.Request, status int, detail string) *panel.Error {
	e := urlError(r.Op, status, detail)
	e.Class = panel.ErrBadResponse
	e.Message = "ServerPrism answered with something that is not its API (a web page, or no JSON): the bot's ServerPrism URL may be wrong, or ServerPrism is under maintenance. Ask the bot's owner to check that it is " + DefaultBaseURL + "."
	return e
}

// queueFull explains a call refused by the bot's own bucket.
func (c *Client) queueFull(r *httpapi.Request, after time.Duration) string {
	return c.limitSentence(r) + " and the bot's queue is full; try again in " + secondsText(after) + "."
}
