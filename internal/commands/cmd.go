package commands

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
)

// maxCommandLen is the longest console command accepted, in characters.
const maxCommandLen = 1000

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
	return say(fmt.Sprintf("Sent to **%s**: %s", escape(t.Label(), 200), codeSpan(text, maxCommandLen)), true), nil
}

// checkCommand refuses what a console cannot take as one command: nothing,
// too much, several lines, control characters or broken UTF-8.
func checkCommand(s string) error {
	var why string
	switch {
	case strings.TrimSpace(s) == "":
		why = "empty"
	case !utf8.ValidString(s):
		why = "not UTF-8"
	case utf8.RuneCountInString(s) > maxCommandLen:
		why = "too long"
	case strings.IndexFunc(s, isLineBreakOrControl) >= 0:
		why = "line break or control character"
	default:
		return nil
	}
	return &userError{msg: fmt.Sprintf(msgCommandRefusals, maxCommandLen), cause: fmt.Errorf("console command refused: %s", why)}
}

func isLineBreakOrControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
