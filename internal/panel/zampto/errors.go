package zampto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/panelbot/panelbot/internal/panel"
)

// maxDetail bounds zampto's own explanation kept in an error.
const maxDetail = 300

// keyRefused is the user sentence for a key zampto does not know.
const keyRefused = "zampto does not accept the bot's API key: it does not exist or has been disabled. Ask the bot's owner to create a new key at " + keysPage + "."

// row is one line of zampto's documented error table and what the bot makes
// of it: the kind callers test and the sentence a Discord user reads.
type row struct {
	status  int
	message string
	kind    error
	user    string
}

// errorTable is zampto's documented error reference, row by row. It is built
// on each use so that no package state can be changed.
func errorTable() []row {
	const again = "Ask the bot's owner to copy the key again from " + keysPage + "."
	return []row{
		{400, "Missing Authorization header", panel.ErrUnauthorized,
			"The bot sent zampto no API key. Ask the bot's owner to set the zampto API key (from " + keysPage + ")."},
		{400, "Invalid Authorization format. Use: Bearer <token>", panel.ErrUnauthorized,
			"zampto refused how the bot presented its API key. Ask the bot's owner to set the key alone, without \"Bearer\"."},
		{400, "Invalid token", panel.ErrUnauthorized,
			"zampto says the bot's API key is too short to be a key. " + again},
		{400, "Invalid token format", panel.ErrUnauthorized,
			"zampto refused the bot's API key because it contains characters no key has. " + again},
		{401, "Unauthorized: Invalid API key", panel.ErrUnauthorized, keyRefused},
		{400, "Invalid JSON body", panel.ErrInvalid,
			"zampto could not read the bot's request. This is a bug in the bot; please report it."},
		{400, "Server parameter is required", panel.ErrInvalid,
			"zampto did not receive the server's ID with the request. This is a bug in the bot; please report it."},
		{400, "Invalid server ID", panel.ErrInvalid,
			"zampto says that is not a valid server ID (zampto server IDs are numbers). Pick the server from /servers."},
		{403, "Server not found, not existent, or unauthorized", panel.ErrNotFound,
			"zampto has no server with that ID on the bot's account: it does not exist or belongs to another account. Check the list with /servers."},
		{422, "This server has not yet been synced, please wait 10 minutes and try again", panel.ErrConflict,
			"This server has not finished syncing with zampto yet. Wait about 10 minutes and try again."},
		{500, "Failed to send power signal to server", panel.ErrUnavailable,
			"zampto could not pass the power signal on to the server. Try again in a minute; if it keeps failing, check the zampto dashboard."},
		{500, "Internal server error", panel.ErrUnavailable,
			"zampto had an internal error. Try again in a minute."},
	}
}

// envelope is zampto's answer: {"success": bool, "message": "…"}.
type envelope struct {
	Success *bool  `json:"success"`
	Message string `json:"message"`
}

// statusError maps a non-2xx answer onto a typed error: a documented row by
// its status and exact message, anything else by its status alone.
func (c *Client) statusError(op string, status int, h http.Header, body []byte) *panel.Error {
	msg, isJSON := errorMessage(body)
	e := &panel.Error{Op: op, Status: status, Detail: clip(c.scrub(msg), maxDetail)}
	for _, r := range errorTable() {
		if r.status == status && r.message == msg {
			e.Kind, e.Message = r.kind, r.user
			return e
		}
	}
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind, e.RetryAfter = panel.ErrRateLimited, retryAfter(h, c.limitW)
		e.Message = c.limitedMessage(e.RetryAfter)
	case status >= 500:
		e.Kind = panel.ErrUnavailable
	case status >= 300 && status < 400, status == http.StatusNotFound, !isJSON:
		e.Kind = panel.ErrConfig
		e.Message = fmt.Sprintf("zampto answered %d to a request the API documents: the bot's zampto API URL looks wrong. Ask the bot's owner to set it to %s.", status, DefaultBaseURL)
	default:
		c.classifyUnknown(e)
	}
	return e
}

// classifyUnknown handles an undocumented message by the meaning the table
// gives its status.
func (c *Client) classifyUnknown(e *panel.Error) {
	switch e.Status {
	case http.StatusUnauthorized:
		e.Kind, e.Message = panel.ErrUnauthorized, keyRefused
	case http.StatusForbidden:
		e.Kind = panel.ErrForbidden
	case http.StatusUnprocessableEntity:
		e.Kind = panel.ErrConflict
	case http.StatusBadRequest:
		e.Kind = panel.ErrInvalid
	default:
		e.Kind = panel.ErrBadResponse
	}
}

// errorMessage reads the message of an error envelope; isJSON is false when
// the body is no JSON object (an HTML page from a proxy or a wrong URL).
func errorMessage(body []byte) (msg string, isJSON bool) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return "", false
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return "", false
	}
	return strings.TrimSpace(env.Message), true
}

// retryAfter reads Retry-After (seconds or an HTTP date). zampto documents
// no header for its 429, so without one the bot waits a whole window.
func retryAfter(h http.Header, window time.Duration) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return min(time.Duration(secs)*time.Second, time.Hour)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), time.Hour)
	}
	return window
}

// limitedMessage explains a 429 from zampto itself: the bot paces its own
// requests, so someone else is probably using the same key.
func (c *Client) limitedMessage(after time.Duration) string {
	return fmt.Sprintf("zampto allows only %s and the account reached that limit (another app may be using the same API key); try again in %d s.",
		c.limitText(), seconds(after))
}

// queueFullMessage explains a call refused by the bot's own queue.
func (c *Client) queueFullMessage(after time.Duration) string {
	return fmt.Sprintf("zampto allows only %s and the bot's queue is full; try again in %d s.", c.limitText(), seconds(after))
}

// limitText says "5 requests per 10 seconds".
func (c *Client) limitText() string {
	noun := "requests"
	if c.limitN == 1 {
		noun = "request"
	}
	w := c.limitW
	switch {
	case w == time.Minute:
		return fmt.Sprintf("%d %s per minute", c.limitN, noun)
	case w == time.Second:
		return fmt.Sprintf("%d %s per second", c.limitN, noun)
	default:
		return fmt.Sprintf("%d %s per %s seconds", c.limitN, noun, strconv.FormatFloat(w.Seconds(), 'f', -1, 64))
	}
}

func seconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

func badResponse(op string, status int, detail string) *panel.Error {
	return &panel.Error{Kind: panel.ErrBadResponse, Op: op, Status: status, Detail: detail}
}

// scrub removes the API key from text that came from outside, in case
// zampto ever echoes it.
func (c *Client) scrub(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[api key]")
}

// clip bounds s and drops control characters, so a hostile answer cannot
// flood the log or forge lines in it.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func looksHTML(h http.Header, body []byte) bool {
	if strings.Contains(strings.ToLower(h.Get("Content-Type")), "html") {
		return true
	}
	trimmed := bytes.TrimSpace(body)
	return len(trimmed) > 0 && trimmed[0] == '<'
}
