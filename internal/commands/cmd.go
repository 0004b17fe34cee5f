package commands

import (
	"context"
	"fmt"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
)

// command is /cmd server:<…> command:<…>.
func (r *Router) command(ctx context.Context, rq *request) (reply, error) {
	ref, err := stringOption(rq, optServer)
	if err != nil {
		return reply{}, err
	}
	text, err := stringOption(rq, optCommand)
	if err != nil {
		return reply{}, err
	}
	rq.audit = &auditEntry{action: "cmd", via: "/cmd", server: ref, command: text}
	if err := r.acl.CheckAny(rq.member, acl.Admin); err != nil {
		return reply{}, err
	}
	if err := checkCommand(text); err != nil {
		return reply{}, err
	}
	t, err := r.target(ctx, rq, ref, acl.Admin)
	if err != nil {
		return reply{}, err
	}
	if !t.Client.Features().Has(panel.FeatureCommand) {
		return reply{}, &userError{msg: fmt.Sprintf("%s is on the %s panel, a %s panel, which cannot send console commands.",
			escape(t.Label(), 100), escape(t.Panel, 40), t.Client.Kind()),
			cause: fmt.Errorf("%s lacks %s", t.Key(), panel.FeatureCommand)}
	}
	if err := t.Client.Command(ctx, t.Server.ID, text); err != nil {
		return reply{}, err
	}
	return say(fmt.Sprintf("Sent to **%s**: %s", escape(t.Label(), 200), codeSpan(text, panel.MaxCommandRunes)), true), nil
}

// checkCommand applies the one console-command rule. The user reads the
// rule's own sentence, mapped as every panel error is; the refusal stays a
// userError because it is the user's typing, routine for the log, not a
// panel failure.
func checkCommand(s string) error {
	if err := panel.ValidateCommand(s, panel.MaxCommandRunes); err != nil {
		return &userError{msg: panel.UserMessage(err), cause: err}
	}
	return nil
}
