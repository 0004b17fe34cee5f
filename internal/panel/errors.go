package panel

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// The kinds of failure a panel can answer with. Panel clients return *Error
// whose Class is one of these, so callers write errors.Is(err, panel.ErrNotFound)
// whatever the panel kind.
var (
	ErrUnauthorized = errors.New("panel refused the credentials")
	ErrForbidden    = errors.New("credentials lack the permission")
	ErrNotFound     = errors.New("server not found")
	ErrConflict     = errors.New("server is busy or suspended")
	ErrInvalid      = errors.New("panel rejected the request")
	ErrRateLimited  = errors.New("panel rate limit reached")
	ErrOffline      = errors.New("server is offline")
	ErrUnavailable  = errors.New("panel or node unavailable")
	ErrUnsupported  = errors.New("not supported by this panel")
	ErrBadResponse  = errors.New("panel answered something unexpected")
	ErrConfig       = errors.New("panel client misconfigured")
)

// Error is a failure reported by a panel or met on the way to it. It never
// holds a key, token or full URL, so it is safe to log and its Message is
// safe to show a Discord user.
type Error struct {
	Class  error  // one of the Err* sentinels
	Op     string // what the bot was doing: "list servers", "power restart abc123"
	Status int    // HTTP status, 0 when none was received
	Code   string // the panel's own error code, e.g. "ThrottleRequestsException"
	Detail string // the panel's own explanation, for the log
	// Message, when set, replaces the default user sentence for Class; panel
	// clients set it where they know better (zampto's "not yet synced").
	Message    string
	RetryAfter time.Duration // for ErrRateLimited, when the panel said
	Err        error         // the underlying cause (network error), if any
}

// Error gives the operator's view: what failed and why, without secrets.
func (e *Error) Error() string {
	msg := e.Class.Error()
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	if e.Status != 0 {
		msg += fmt.Sprintf(" (HTTP %d", e.Status)
		if e.Code != "" {
			msg += " " + e.Code
		}
		msg += ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrNotFound) work on an *Error of that kind.
func (e *Error) Is(target error) bool { return target == e.Class }

// Unwrap exposes the underlying cause (a network error, a context error).
func (e *Error) Unwrap() error { return e.Err }

// UserMessage turns any error from a panel client into one plain sentence a
// Discord user can act on. It never reveals the error chain, which may name
// hosts or internals; that belongs in the log.
func UserMessage(err error) string {
	var pe *Error
	if errors.As(err, &pe) && pe.Message != "" {
		return pe.Message
	}
	switch {
	case errors.Is(err, ErrUnauthorized):
		return "The panel refused the bot's credentials. Ask the bot's owner to check the panel API key."
	case errors.Is(err, ErrForbidden):
		return "The bot's panel account is not allowed to do that on this server. Ask the server's owner to grant the permission."
	case errors.Is(err, ErrNotFound):
		return "The panel does not know that server. Check the name with /servers."
	case errors.Is(err, ErrConflict):
		return "The server is suspended or busy (installing, transferring or restoring). Try again when it is ready."
	case errors.Is(err, ErrInvalid):
		return invalidMessage(pe)
	case errors.Is(err, ErrRateLimited):
		return rateLimitedMessage(pe)
	case errors.Is(err, ErrOffline):
		return "The server is offline. Start it first, then send the command."
	case errors.Is(err, ErrUnsupported):
		return "This panel cannot do that."
	case errors.Is(err, ErrUnavailable), errors.Is(err, ErrBadResponse):
		return "The panel is not answering properly right now. Try again in a minute; if it persists, check the panel's status page."
	case errors.Is(err, ErrConfig):
		return "The bot's panel settings are wrong. Ask the bot's owner to run `bot check`."
	default:
		return "Something went wrong talking to the panel. The bot's log has the details."
	}
}

func invalidMessage(pe *Error) string {
	if pe != nil && pe.Detail != "" {
		return "The panel rejected the request: " + pe.Detail
	}
	return "The panel rejected the request as invalid."
}

func rateLimitedMessage(pe *Error) string {
	if pe != nil && pe.RetryAfter > 0 {
		secs := int(math.Ceil(pe.RetryAfter.Seconds()))
		return fmt.Sprintf("The panel is busy with other requests from the bot. Try again in %d s.", secs)
	}
	return "The panel is busy with other requests from the bot. Try again in a few seconds."
}
