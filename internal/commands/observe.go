package commands

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
)

// Observer hears how each interaction went, for the bot's metrics. Every
// value it is given comes from a fixed set, so a metric labelled with them
// stays bounded: command is one of Commands, result one of Results. No user,
// message or interaction id reaches it. It must not block.
type Observer interface {
	// Interaction reports an interaction once it is answered.
	Interaction(command, result string)
	// FirstCallback reports how long after the router got the interaction
	// Discord accepted its first callback (an answer, a deferral or the
	// autocomplete choices).
	FirstCallback(command string, d time.Duration)
}

// The command values an Observer is given besides the slash commands'
// names: clicks, autocomplete, and anything the bot does not know.
const (
	CommandButton       = "button"
	CommandAutocomplete = "autocomplete"
	CommandUnknown      = "unknown"
)

// Commands lists every command value an Observer may be given.
func Commands() []string {
	return []string{cmdServers, cmdStatus, cmdPower, cmdCmd, cmdHistory, CommandButton, CommandAutocomplete, CommandUnknown}
}

// The results an Observer is given.
const (
	ResultOK           = "ok"            // answered as asked
	ResultDenied       = "denied"        // the access rules refused it
	ResultRefused      = "refused"       // the bot refused it: a missing option, an outdated button, a DM
	ResultPanelError   = "panel_error"   // the panel failed or refused
	ResultTimeout      = "timeout"       // the panel did not answer in time
	ResultCanceled     = "canceled"      // the bot was shutting down
	ResultInternal     = "internal"      // a handler panicked
	ResultError        = "error"         // any other failure
	ResultDiscordError = "discord_error" // handled, but answering on Discord failed
)

// Results lists every result an Observer may be given.
func Results() []string {
	return []string{ResultOK, ResultDenied, ResultRefused, ResultPanelError, ResultTimeout,
		ResultCanceled, ResultInternal, ResultError, ResultDiscordError}
}

// nopObserver is the Observer of a router configured without one.
type nopObserver struct{}

func (nopObserver) Interaction(string, string)          {}
func (nopObserver) FirstCallback(string, time.Duration) {}

// commandLabel names an interaction for the Observer, from the fixed set:
// a stale or forged command name must not become a new label.
func commandLabel(i *discordgo.Interaction) string {
	switch i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		return CommandAutocomplete
	case discordgo.InteractionMessageComponent:
		return CommandButton
	case discordgo.InteractionApplicationCommand:
		d, _ := commandData(i)
		switch d.Name {
		case cmdServers, cmdStatus, cmdPower, cmdCmd, cmdHistory:
			return d.Name
		}
	}
	return CommandUnknown
}

// resultOf sorts a handler's error into the fixed set of results.
func resultOf(err error) string {
	var (
		ue *userError
		pe *panel.Error
	)
	switch {
	case err == nil:
		return ResultOK
	case errors.Is(err, acl.ErrDenied):
		return ResultDenied
	case errors.As(err, &ue) && ue.msg == msgInternal:
		return ResultInternal
	case errors.As(err, &ue):
		return ResultRefused
	case errors.As(err, &pe):
		return ResultPanelError
	case errors.Is(err, context.DeadlineExceeded):
		return ResultTimeout
	case errors.Is(err, context.Canceled):
		return ResultCanceled
	default:
		return ResultError
	}
}

// watched is the Session of one interaction, noting when Discord first
// accepted a callback and whether a call answering it failed. A failed
// delete is not a failure: lateError then edits the answer in instead.
type watched struct {
	Session
	start time.Time

	mu     sync.Mutex
	first  time.Duration // 0 until a callback is accepted
	failed bool
}

func watch(s Session) *watched { return &watched{Session: s, start: time.Now()} }

func (w *watched) note(err error, callback bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err == nil && callback && w.first == 0:
		w.first = max(time.Since(w.start), time.Nanosecond)
	case err != nil && !alreadyAcknowledged(err):
		w.failed = true
	}
}

// InteractionRespond is the callback: the first one accepted is timed.
func (w *watched) InteractionRespond(i *discordgo.Interaction, resp *discordgo.InteractionResponse, o ...discordgo.RequestOption) error {
	err := w.Session.InteractionRespond(i, resp, o...)
	w.note(err, true)
	return err
}

// InteractionResponseEdit notes a failed edit.
func (w *watched) InteractionResponseEdit(i *discordgo.Interaction, e *discordgo.WebhookEdit, o ...discordgo.RequestOption) (*discordgo.Message, error) {
	m, err := w.Session.InteractionResponseEdit(i, e, o...)
	w.note(err, false)
	return m, err
}

// FollowupMessageCreate notes a failed follow-up.
func (w *watched) FollowupMessageCreate(i *discordgo.Interaction, wait bool, p *discordgo.WebhookParams, o ...discordgo.RequestOption) (*discordgo.Message, error) {
	m, err := w.Session.FollowupMessageCreate(i, wait, p, o...)
	w.note(err, false)
	return m, err
}

// report tells the Observer how the interaction went. A handler that
// succeeded but whose answer Discord did not take is a Discord error: the
// user saw nothing.
func (w *watched) report(o Observer, command string, err error) {
	w.mu.Lock()
	first, failed := w.first, w.failed
	w.mu.Unlock()
	if first > 0 {
		o.FirstCallback(command, first)
	}
	result := resultOf(err)
	if result == ResultOK && failed {
		result = ResultDiscordError
	}
	o.Interaction(command, result)
}
