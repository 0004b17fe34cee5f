package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/trunc"
)

// Lengths in an audit line: enough to recognise, never enough to flood.
const (
	auditCommandLen = 200
	auditNameLen    = 64
	auditReasonLen  = 300
)

// auditEntry is one control attempt (a power signal or a console command),
// recorded whatever its outcome.
type auditEntry struct {
	action  string // "power stop", "cmd"
	via     string // "/power", "button", "confirm", "/cmd"
	server  string // the target key, or what the user typed until resolved
	command string // the console command, for /cmd
	// outcome describes an attempt that ended without error; empty means the
	// signal or command was sent.
	outcome string
	// quiet entries (a confirmation asked, a prompt cancelled) are logged
	// but not posted: nothing was attempted yet.
	quiet bool
	err   error
}

// finishAudit records the handler's error on the request's audit entry.
func (r *Router) finishAudit(rq *request, err error) {
	if rq.audit != nil {
		rq.audit.err = err
	}
}

// postAudit logs the attempt and posts it to the audit channel, after the user
// has had the answer. A post is dropped (and says so in the log) when too many
// are in flight, so a stalled audit channel cannot pile work up.
func (r *Router) postAudit(dctx context.Context, s Session, rq *request) {
	e := rq.audit
	if e == nil {
		return
	}
	result := e.result()
	attrs := r.attrs(rq, slog.String("action", e.action), slog.String("via", e.via), slog.String("result", result))
	if e.command != "" {
		attrs = append(attrs, slog.String("console_command", trunc.Runes(e.command, panel.MaxCommandRunes)))
	}
	if e.err != nil {
		attrs = append(attrs, slog.String("error", e.err.Error()))
	}
	r.log.Info("audit", attrs...)
	if r.auditTo == "" || e.quiet {
		return
	}
	select {
	case r.auditSlots <- struct{}{}:
		defer func() { <-r.auditSlots }()
	default:
		r.log.Warn("audit post dropped: too many in flight", r.attrs(rq, slog.String("action", e.action))...)
		return
	}
	msg := say(e.line(rq.userID, rq.user, result), false).send()
	if _, err := s.ChannelMessageSendComplex(r.auditTo, msg, discordgo.WithContext(dctx)); err != nil {
		r.log.Error("audit post failed", r.attrs(rq, slog.String("error", err.Error()))...)
	}
}

// result says how the attempt ended, in words safe for the audit channel.
func (e *auditEntry) result() string {
	var de *acl.DeniedError
	switch {
	case e.err == nil && e.outcome != "":
		return e.outcome
	case e.err == nil:
		return "sent"
	case errors.As(e.err, &de) && de.Reason == acl.ReasonNotInGuild:
		return "refused: outside a guild"
	case errors.As(e.err, &de):
		return fmt.Sprintf("refused: needs the %s tier", de.Tier)
	case errors.Is(e.err, errBadCustomID):
		return "refused: the button is not one the bot made"
	default:
		// line escapes the result, so the sentence goes in unescaped.
		s, _ := sentence(e.err)
		return "failed: " + trunc.Runes(s, auditReasonLen)
	}
}

// line is the audit channel's message: who, what, where, how it ended. Every
// outside string is cleaned and escaped; the command sits in an unbreakable
// code span.
func (e *auditEntry) line(userID, user, result string) string {
	icon := "✅"
	var de *acl.DeniedError
	switch {
	case errors.As(e.err, &de), errors.Is(e.err, errBadCustomID):
		icon = "⛔"
	case e.err != nil:
		icon = "❌"
	case e.outcome != "":
		icon = "⌛"
	}
	what := e.action
	if e.command != "" {
		what += " " + codeSpan(e.command, auditCommandLen)
	}
	who := "**" + escape(user, auditNameLen) + "** (" + codeSpan(userID, 24) + ")"
	if userID == "" {
		who = "**unknown user**"
	}
	return fmt.Sprintf("%s %s %s on %s via %s: %s",
		icon, who, what,
		codeSpan(e.server, maxCustomIDLen), escape(e.via, 20), escape(result, auditReasonLen))
}

// AuditConsoleCommand records a console command an admin typed in a relay
// channel, in the same trail and form as /cmd: logged, and posted to the
// audit channel when one is configured. err is nil when the node took it.
func (r *Router) AuditConsoleCommand(ctx context.Context, s Session, m *discordgo.MessageCreate, serverKey, command string, err error) {
	if m == nil || m.Message == nil || m.Author == nil {
		return
	}
	rq := &request{
		i:      &discordgo.Interaction{ID: "message " + m.ID},
		userID: m.Author.ID, user: displayName("", m.Author),
		name: "relay channel", server: serverKey,
		audit: &auditEntry{action: "cmd", via: "relay channel", server: serverKey, command: command, err: err},
	}
	if m.Member != nil {
		rq.user = displayName(m.Member.Nick, m.Author)
	}
	r.postAudit(ctx, s, rq)
}
