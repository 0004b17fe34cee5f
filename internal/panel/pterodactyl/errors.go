package pterodactyl

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// maxDetail bounds the panel's own explanation kept in an error.
const maxDetail = 300

// daemonException is the code of the panel's answer when it cannot reach
// the node (Wings) a server runs on: 504 when the node is unreachable, or
// the node's own 5xx.
const daemonException = "DaemonConnectionException"

// errorEnvelope is the panel's error body:
// {"errors":[{"code":"…","status":"…","detail":"…"}]}.
type errorEnvelope struct {
	Errors []struct {
		Code   string          `json:"code"`
		Status json.RawMessage `json:"status"` // a string, but be lenient
		Detail string          `json:"detail"`
	} `json:"errors"`
}

// decodeEnvelope reads an error body; the caller scrubs and bounds the
// text. ok is false when the body is not a
// JSON object at all (an HTML page, a proxy's text), which says something
// other than the panel's API answered.
func decodeEnvelope(body []byte) (code, detail string, ok bool) {
	var env errorEnvelope
	if !httpapi.DecodeObject(body, &env) {
		return "", "", false
	}
	details := make([]string, 0, len(env.Errors))
	for i, e := range env.Errors {
		if i == 0 {
			code = e.Code
		}
		if d := strings.TrimSpace(e.Detail); d != "" {
			details = append(details, d)
		}
	}
	return code, strings.Join(details, "; "), true
}

// statusError is the funnel's StatusError hook: it maps a non-2xx answer
// onto a typed error.
func (c *Client) statusError(r *httpapi.Request, resp *http.Response, body []byte) *panel.Error {
	e := c.errorFor(resp, r.Path, body)
	e.Op = r.Op
	return e
}

func (c *Client) errorFor(resp *http.Response, path string, body []byte) *panel.Error {
	status := resp.StatusCode
	code, detail, isJSON := decodeEnvelope(body)
	// Scrub before clipping, so no part of the key survives a cut.
	e := &panel.Error{Status: status, Code: clip(c.scrub(code), 80), Detail: clip(c.scrub(detail), maxDetail)}
	switch {
	case status == http.StatusTooManyRequests:
		// A proxy's HTML 429 means the same thing: back off.
		e.Class, e.RetryAfter = panel.ErrRateLimited, retryAfter(resp.Header, c.api.Now())
	case status >= 500:
		e.Class = panel.ErrUnavailable
		// The panel turns the node's 502 for a stopped server into its own
		// 502; a node it cannot reach stays DaemonConnectionException.
		switch {
		case status == http.StatusBadGateway && isJSON && code != daemonException &&
			strings.HasSuffix(pathOnly(path), "/command"):
			e.Class = panel.ErrOffline
		case isJSON && code == daemonException:
			// The panel answered; the node (Wings) behind it did not: the
			// default "the panel is not answering" would send the user to
			// the wrong place.
			e.Message = "The " + c.displayName() + " panel cannot reach the node this server runs on. " +
				"Try again in a minute; if it keeps failing, ask the host whether the node is down."
		}
	case status >= 300 && status < 400:
		return c.badResponse(status, "a redirect instead of an answer from "+pathOnly(path))
	case !isJSON:
		return c.badResponse(status, "a non-JSON error page from "+pathOnly(path))
	default:
		c.classify4xx(e)
	}
	return e
}

func (c *Client) classify4xx(e *panel.Error) {
	switch e.Status {
	case http.StatusUnauthorized:
		e.Class = panel.ErrUnauthorized
		e.Message = "The panel refused the bot's API key (it may be revoked, expired or limited to other IP addresses). Ask the bot's owner to create a new client API key (ptlc_…)."
	case http.StatusForbidden:
		e.Class = panel.ErrForbidden
		if strings.Contains(strings.ToLower(e.Detail), "application api key") {
			e.Message = "The bot is using an application (admin) API key, which the client API refuses. Ask the bot's owner to use a client API key (ptlc_…)."
		}
	case http.StatusNotFound:
		e.Class = panel.ErrNotFound
	case http.StatusConflict:
		e.Class = panel.ErrConflict
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		e.Class = panel.ErrInvalid
	default:
		// 405, 413, …: the request did not meet the API it expected.
		e.Class, e.Message = panel.ErrBadResponse, c.badResponse(e.Status, "").Message
	}
}

// unexpected is the funnel's Unexpected hook: a 2xx that is not what the
// endpoint promises (a web page, no JSON where JSON is due).
func (c *Client) unexpected(r *httpapi.Request, status int, detail string) *panel.Error {
	e := c.badResponse(status, detail)
	e.Op = r.Op
	return e
}

// badResponse is the error for an answer that is not the client API's:
// almost always a PANEL_URL pointing at a website, a proxy or a login page.
func (c *Client) badResponse(status int, detail string) *panel.Error {
	return &panel.Error{Class: panel.ErrBadResponse, Status: status, Detail: detail,
		Message: "The panel answered with something that is not the " + c.displayName() +
			" client API. Ask the bot's owner to check that PANEL_URL is the panel's own address (e.g. https://panel.example.com), not a website, a proxy or a login page."}
}

// retryAfter reads Retry-After (seconds or an HTTP date), else
// X-RateLimit-Reset (a Unix time); zero when neither makes sense.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if d, ok := httpapi.RetryAfter(h, now); ok {
		return capWait(d)
	}
	if reset, ok := resetTime(h); ok {
		return capWait(reset.Sub(now))
	}
	return 0
}

func resetTime(h http.Header) (time.Time, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64)
	if err != nil || secs <= 0 || secs > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// capWait keeps a wait the panel asked for within reason: rate-limit
// windows are a minute long.
func capWait(d time.Duration) time.Duration {
	return min(max(d, 0), 2*time.Minute)
}

// scrub removes the key from text the panel sent back, in case a broken
// panel or proxy echoes the request.
func (c *Client) scrub(s string) string { return httpapi.Scrub(s, c.key, "[redacted]") }

// clip is httpapi.Clip: one line, at most n characters and "…".
func clip(s string, n int) string { return httpapi.Clip(s, n) }
