package shardlyn

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
	"github.com/panelbot/panelbot/internal/trunc"
)

// maxDetail bounds how much of the panel's own sentence is kept.
const maxDetail = 200

// secretPattern matches anything shaped like a Shardlyn credential (a JWT
// or an API token), so that a panel echoing one back cannot leak it.
var secretPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*|shardlyn_api_[A-Za-z0-9_-]*`)

// statusError is the funnel's StatusError hook: it maps the documented
// error envelope {"error": "..."} and its status codes onto the panel error
// kinds, with a Shardlyn-specific user sentence where the default one would
// mislead.
func (c *Client) statusError(r *httpapi.Request, resp *http.Response, body []byte) *panel.Error {
	status := resp.StatusCode
	if status >= 300 && status < 400 {
		return &panel.Error{Class: panel.ErrBadResponse, Op: r.Op, Status: status, Detail: "unexpected redirect; check the base URL"}
	}
	e := &panel.Error{Class: kindOf(status), Op: r.Op, Status: status, Detail: c.detail(body)}
	switch e.Class {
	case panel.ErrUnauthorized:
		e.Message = c.unauthorizedMessage()
	case panel.ErrForbidden:
		e.Message = "The bot's Shardlyn account is not allowed to do that on this instance. " +
			"Ask an organization admin to grant the permission."
	case panel.ErrNotFound:
		if id := instanceID(r); id != "" {
			e.Message = fmt.Sprintf("Shardlyn has no instance %q that the bot's account can see. Check the name with /servers.", clip(id, 64))
		}
	case panel.ErrConflict:
		if e.Detail != "" {
			e.Message = "Shardlyn refused because of the instance's state: " + e.Detail
		}
	case panel.ErrRateLimited:
		e.RetryAfter = retryAfter(resp.Header, c.api.Now())
	}
	return e
}

// instanceID is the instance a request addresses, "" for none.
func instanceID(r *httpapi.Request) string {
	rest, ok := strings.CutPrefix(r.Path, "/v1/instances/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	if raw, err := url.PathUnescape(id); err == nil {
		id = raw
	}
	return id
}

// kindOf follows the document's status table; the statuses it does not
// list are placed where they mean the same.
func kindOf(status int) error {
	switch {
	case status == http.StatusUnauthorized:
		return panel.ErrUnauthorized
	case status == http.StatusForbidden:
		return panel.ErrForbidden
	case status == http.StatusNotFound, status == http.StatusGone:
		return panel.ErrNotFound
	case status == http.StatusConflict, status == http.StatusLocked:
		return panel.ErrConflict
	case status == http.StatusTooManyRequests:
		return panel.ErrRateLimited
	case status >= 500:
		return panel.ErrUnavailable
	case status >= 400:
		return panel.ErrInvalid
	default:
		return panel.ErrBadResponse
	}
}

func (c *Client) unauthorizedMessage() string {
	if !c.auth.usesPassword() {
		return "Shardlyn refused the bot's API token. It may have expired or been deleted: create a new one " +
			"under Settings > API Tokens and set it in the bot's config."
	}
	return "Shardlyn refused the bot's access token even after signing in again. Ask the bot's owner to check the Shardlyn account."
}

// detail keeps the panel's own sentence for the log and for 400 answers:
// one line, bounded, with anything secret-looking removed.
func (c *Client) detail(body []byte) string {
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Error) == 0 {
		return ""
	}
	var msg string
	if json.Unmarshal(env.Error, &msg) != nil {
		// Some deployments nest {"error": {"message": "..."}}.
		var inner struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(env.Error, &inner) != nil {
			return ""
		}
		msg = inner.Message
	}
	return clip(c.redact(oneLine(msg)), maxDetail)
}

// redact removes the configured secrets and anything credential-shaped.
func (c *Client) redact(s string) string {
	if p := c.auth.password; len(p) >= 3 {
		s = strings.ReplaceAll(s, p, "[redacted]")
	}
	return secretPattern.ReplaceAllString(s, "[redacted]")
}

func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "�")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// clip bounds s to n characters and an ellipsis.
func clip(s string, n int) string { return trunc.Runes(s, n+1) }
