package zampto

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
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
func (c *Client) statusError(r *httpapi.Request, resp *http.Response, body []byte) *panel.Error {
	status := resp.StatusCode
	msg, isJSON := errorMessage(body)
	// Scrub before clipping, so no part of the key survives a cut.
	e := &panel.Error{Op: r.Op, Status: status, Detail: httpapi.Clip(httpapi.Scrub(msg, c.token, "[api key]"), maxDetail)}
	for _, row := range errorTable() {
		if row.status == status && row.message == msg {
			e.Class, e.Message = row.kind, row.user
			return e
		}
	}
	switch {
	case status == http.StatusTooManyRequests:
		e.Class, e.RetryAfter = panel.ErrRateLimited, httpapi.RetryAfterOr(resp.Header, c.api.Now(), c.limitW)
		e.Message = c.limitedMessage(e.RetryAfter)
	case status >= 500:
		e.Class = panel.ErrUnavailable
	case status >= 300 && status < 400, status == http.StatusNotFound, !isJSON:
		e.Class = panel.ErrConfig
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
		e.Class, e.Message = panel.ErrUnauthorized, keyRefused
	case http.StatusForbidden:
		e.Class = panel.ErrForbidden
	case http.StatusUnprocessableEntity:
		e.Class = panel.ErrConflict
	case http.StatusBadRequest:
		e.Class = panel.ErrInvalid
	default:
		e.Class = panel.ErrBadResponse
	}
}

// errorMessage reads the message of an error envelope; isJSON is false when
// the body is no JSON object (an HTML page from a proxy or a wrong URL).
func errorMessage(body []byte) (msg string, isJSON bool) {
	var env envelope
	if !httpapi.DecodeObject(body, &env) {
		return "", false
	}
	return strings.TrimSpace(env.Message), true
}

// limitedMessage explains a 429 from zampto itself: the bot paces its own
// requests, so someone else is probably using the same key.
func (c *Client) limitedMessage(after time.Duration) string {
	return fmt.Sprintf("zampto allows only %s and the account reached that limit (another app may be using the same API key); try again in %d s.",
		c.limitText(), httpapi.Seconds(after))
}

// queueFull explains a call refused by the bot's own queue.
func (c *Client) queueFull(_ *httpapi.Request, after time.Duration) string {
	return fmt.Sprintf("zampto allows only %s and the bot's queue is full; try again in %d s.", c.limitText(), httpapi.Seconds(after))
}

// limitText says "5 requests per 10 seconds".
func (c *Client) limitText() string {
	noun := "requests"
	if c.limitN == 1 {
		noun = "request"
	}
	return fmt.Sprintf("%d %s %s", c.limitN, noun, httpapi.Per(c.limitW))
}

func badResponse(op string, status int, detail string) *panel.Error {
	return &panel.Error{Class: panel.ErrBadResponse, Op: op, Status: status, Detail: detail}
}

// unexpected words an answer that is not zampto's API.
func (c *Client) unexpected(r *httpapi.Request, status int, detail string) *panel.Error {
	return &panel.Error{Class: panel.ErrBadResponse, Op: r.Op, Status: status, Detail: detail,
		Message: "zampto answered with something that is not its API (a web page, or no JSON): the bot's zampto API URL may be wrong, or zampto is under maintenance. Ask the bot's owner to check that it is " + DefaultBaseURL + "."}
}
