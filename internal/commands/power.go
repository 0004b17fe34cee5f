package commands

import (
	"context"
	"fmt"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
)

// powerCommand is /power server:<…> action:<…>.
func (r *Router) powerCommand(ctx context.Context, rq *request) (reply, error) {
	ref, err := stringOption(rq, optServer)
	if err != nil {
		return reply{}, err
	}
	action, err := stringOption(rq, optAction)
	if err != nil {
		return reply{}, err
	}
	sig, err := panel.ParseSignal(action)
	if err != nil {
		// Only an outdated command registration sends another action; the
		// attempt is still a control attempt, recorded without the raw text.
		rq.audit = &auditEntry{action: "power (unknown action)", via: "/power", server: ref}
		return reply{}, &userError{msg: "Pick the action from the list: start, stop, restart or kill.", cause: err}
	}
	rq.audit = &auditEntry{action: "power " + string(sig), via: "/power", server: ref}
	t, err := r.target(ctx, rq, ref, tierFor(sig))
	if err != nil {
		return reply{}, err
	}
	return r.power(ctx, rq, t, sig)
}

// powerButton is a click on Start, Restart, Stop or Kill under /status.
func (r *Router) powerButton(ctx context.Context, rq *request, id customID) (reply, error) {
	rq.audit = &auditEntry{action: "power " + string(id.signal), via: "button", server: id.key}
	t, err := r.targetByKey(ctx, rq, id.key, tierFor(id.signal))
	if err != nil {
		return reply{}, err
	}
	return r.power(ctx, rq, t, id.signal)
}

// tierFor says which access tier a power signal needs; the access rules know
// tiers, and this package maps what users ask for onto them. Starting a
// stopped server is harmless enough for operators; anything that interrupts
// players is admin work. An unknown signal needs Admin, the safe answer.
func tierFor(s panel.Signal) acl.Tier {
	if s == panel.SignalStart {
		return acl.Operate
	}
	return acl.Admin
}

// needsConfirm: stopping or killing disconnects players without a restart to
// bring them back, so these ask first.
func needsConfirm(s panel.Signal) bool {
	return s == panel.SignalStop || s == panel.SignalKill
}

// power sends the signal, or asks for confirmation first.
func (r *Router) power(ctx context.Context, rq *request, t panel.Target, sig panel.Signal) (reply, error) {
	if needsConfirm(sig) {
		rq.audit.outcome, rq.audit.quiet = "asked for confirmation", true
		return r.confirmPrompt(t, sig)
	}
	return r.sendPower(ctx, rq, t, sig)
}

// sendPower is the one place a power signal leaves the bot.
func (r *Router) sendPower(ctx context.Context, rq *request, t panel.Target, sig panel.Signal) (reply, error) {
	// Noted before it is sent: the server may change state before the
	// panel answers, and a signal that failed may still have landed.
	r.powers.PowerNoted(t.Key(), sig, r.now())
	if err := t.Client.Power(ctx, t.Server.ID, sig); err != nil {
		return reply{}, err
	}
	return say(fmt.Sprintf("%s sent to **%s**. The panel accepted it; /status shows when the server gets there.",
		signalLabel(sig), escape(t.Label(), 200)), true), nil
}
