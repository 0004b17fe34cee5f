package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
)

// route is how one kind of interaction is answered.
type route struct {
	// ephemeral: a deferral shows its "thinking…" only to the user. Declared
	// up front because Discord fixes it at deferral time.
	ephemeral bool
	// update: the answer replaces the clicked message (types 7 and 6)
	// instead of posting a new one.
	update bool
	handle func(ctx context.Context, rq *request) (reply, error)
}

// request is one interaction as the handlers see it.
type request struct {
	i      *discordgo.Interaction
	member acl.Member // zero outside a guild
	userID string
	user   string // display name, for audit lines
	name   string // what was invoked, for logs: "/status", "button power/…"
	server string // the server concerned, once known, for logs
	audit  *auditEntry
}

func newRequest(i *discordgo.Interaction) *request {
	rq := &request{i: i}
	if m := i.Member; m != nil && m.User != nil && m.User.ID != "" {
		rq.member = acl.Member{UserID: m.User.ID, Roles: m.Roles}
		rq.userID, rq.user = m.User.ID, displayName(m.Nick, m.User)
	} else if i.User != nil {
		// A DM: remembered for the log; the empty member refuses everything.
		rq.userID, rq.user = i.User.ID, displayName("", i.User)
	}
	return rq
}

func displayName(nick string, u *discordgo.User) string {
	switch {
	case nick != "":
		return nick
	case u.GlobalName != "":
		return u.GlobalName
	default:
		return u.Username
	}
}

// userError is a refusal decided by this package, with its own sentence for
// the user and a cause for the log.
type userError struct {
	msg   string
	cause error
}

func (e *userError) Error() string {
	if e.cause == nil {
		return e.msg
	}
	return e.msg + ": " + e.cause.Error()
}

func (e *userError) Unwrap() error { return e.cause }

// maxPanelSentence bounds a panel's sentence shown to users: enough for any
// advice, never a page of a panel's error output.
const maxPanelSentence = 600

// userText is the one sentence a user sees for any handler error, safe to
// render: a panel's sentence can quote outside text (what the user typed,
// server names, the panel's own error detail), so it is escaped and shows
// literally, never as markdown.
func userText(err error) string {
	s, outside := sentence(err)
	if outside {
		return escape(s, maxPanelSentence)
	}
	return s
}

// sentence picks the user's sentence for err, unescaped; outside reports
// that it comes from the panel layer and may quote outside text.
func sentence(err error) (s string, outside bool) {
	var (
		ue *userError
		de *acl.DeniedError
		pe *panel.Error
	)
	switch {
	case errors.As(err, &ue):
		return ue.msg, false
	case errors.As(err, &de):
		return de.UserMessage(), false
	case !errors.As(err, &pe) && errors.Is(err, context.DeadlineExceeded):
		return msgPanelSlow, false
	case !errors.As(err, &pe) && errors.Is(err, context.Canceled):
		return msgShuttingDown, false
	default:
		return panel.UserMessage(err), true
	}
}

// commandData reads a slash command's data, whichever way it was decoded.
func commandData(i *discordgo.Interaction) (discordgo.ApplicationCommandInteractionData, bool) {
	switch d := i.Data.(type) {
	case discordgo.ApplicationCommandInteractionData:
		return d, true
	case *discordgo.ApplicationCommandInteractionData:
		if d != nil {
			return *d, true
		}
	}
	return discordgo.ApplicationCommandInteractionData{}, false
}

// componentData reads a button click's data, whichever way it was decoded.
func componentData(i *discordgo.Interaction) (discordgo.MessageComponentInteractionData, bool) {
	switch d := i.Data.(type) {
	case discordgo.MessageComponentInteractionData:
		return d, true
	case *discordgo.MessageComponentInteractionData:
		if d != nil {
			return *d, true
		}
	}
	return discordgo.MessageComponentInteractionData{}, false
}

// stringOption reads a required string option, refusing a missing one or one
// of another type (an outdated command definition).
func stringOption(rq *request, name string) (string, error) {
	d, ok := commandData(rq.i)
	if ok {
		for _, o := range d.Options {
			if o == nil || o.Name != name {
				continue
			}
			if s, ok := o.Value.(string); ok {
				return s, nil
			}
		}
	}
	return "", &userError{msg: fmt.Sprintf(msgMissingOption, name), cause: fmt.Errorf("option %q missing or not a string", name)}
}

// clickedEphemeral reports whether the clicked message is visible only to
// the clicker, so that replacing it with an error shows the error to no one
// else.
func clickedEphemeral(i *discordgo.Interaction) bool {
	return i.Message != nil && i.Message.Flags&ephemeralFlag != 0
}
