package acl

import (
	"errors"
	"fmt"
)

// ErrDenied is what every refusal matches with errors.Is, so the command layer
// can tell "not allowed" from a panel failure without knowing the details.
var ErrDenied = errors.New("access denied")

// Reason says why a check failed; the user's sentence depends on it.
type Reason int

// The reasons a check fails.
const (
	// ReasonMissingRole: the member lacks every role that grants the tier.
	ReasonMissingRole Reason = iota + 1
	// ReasonUnconfigured: nobody holds the tier because the owner has not
	// configured it; control is denied by default.
	ReasonUnconfigured
	// ReasonNotInGuild: the interaction came from a DM, where there are no
	// roles to check.
	ReasonNotInGuild
)

// DeniedError is a refusal. It names the tier that was missing so the user
// learns what to ask for, and it is safe to show: it holds IDs, never secrets.
type DeniedError struct {
	Tier   Tier
	Reason Reason
	UserID string
	// Target is the server key checked, empty for a global check.
	Target string
	// Override is true when the target's own rules decided, so the message
	// can say that this server is configured apart.
	Override bool
}

// Error gives the operator's view for the log.
func (e *DeniedError) Error() string {
	var why string
	switch e.Reason {
	case ReasonNotInGuild:
		return "access denied: interaction outside a guild"
	case ReasonUnconfigured:
		why = "nobody is configured for it"
	default:
		why = "member has none of its roles"
	}
	msg := fmt.Sprintf("access denied: user %s lacks the %s tier (%s)", e.UserID, e.Tier, why)
	if e.Target != "" {
		msg += " on " + e.Target
		if e.Override {
			msg += " (server override)"
		}
	}
	return msg
}

// Is makes errors.Is(err, ErrDenied) true for every refusal.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// UserMessage is the one sentence the Discord user sees: which tier is missing
// and who can grant it.
func (e *DeniedError) UserMessage() string {
	if e.Reason == ReasonNotInGuild {
		return "Use the bot's commands in the server; they do not work in direct messages."
	}
	var msg string
	if e.Reason == ReasonUnconfigured {
		msg = unconfiguredMessage(e.Tier)
	} else {
		msg = missingMessage(e.Tier)
	}
	if e.Override {
		msg += " This server has its own roles in the bot's configuration."
	}
	return msg
}

func missingMessage(t Tier) string {
	switch t {
	case View:
		return "You need a viewer role to see servers (operators and admins can too). The bot's owner sets the roles in " + EnvViewerRoles + "."
	case Operate:
		return "You need the operator role to start servers (admins can too). The bot's owner sets it in " + EnvOperatorRoles + "."
	default:
		return "You need the admin role to stop, restart or kill servers and to send console commands. The bot's owner sets it in " + EnvAdminRoles + " or " + EnvAdminUsers + "."
	}
}

func unconfiguredMessage(t Tier) string {
	if t == Operate {
		return "Nobody may start servers yet: the bot's owner has not set " + EnvOperatorRoles + ", " + EnvAdminRoles + " or " + EnvAdminUsers + "."
	}
	return "Nobody may stop, restart or kill servers or send console commands yet: the bot's owner has not set " + EnvAdminRoles + " or " + EnvAdminUsers + "."
}
