package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/panel"
)

// confirmSlack tolerates a little clock difference; a confirm button whose
// expiry lies further in the future than ConfirmTTL allows was not made here.
const confirmSlack = 5 * time.Second

// confirmPrompt asks the user, privately, to confirm a stop or kill.
func (r *Router) confirmPrompt(t panel.Target, sig panel.Signal) (reply, error) {
	expiry := r.now().Add(r.confirmTTL)
	yes, err := customID{verb: verbConfirm, key: t.Key(), signal: sig, expiry: expiry.Unix()}.encode()
	if err != nil {
		return reply{}, &userError{msg: "This server's name on the panel is too long for a confirmation button; ask an admin to shorten it.", cause: err}
	}
	no, err := customID{verb: verbCancel, key: t.Key(), signal: sig}.encode()
	if err != nil {
		return reply{}, &userError{msg: "This server's name on the panel is too long for a confirmation button.", cause: err}
	}
	text := fmt.Sprintf("**%s %s?** Players on it will be disconnected. Confirm within %s, or cancel.",
		signalLabel(sig), escape(t.Label(), 200), duration(r.confirmTTL))
	row := discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Confirm " + signalLabel(sig), Style: discordgo.DangerButton, CustomID: yes},
		discordgo.Button{Label: "Cancel", Style: discordgo.SecondaryButton, CustomID: no},
	}}
	return reply{content: text, components: []discordgo.MessageComponent{row}, ephemeral: true}, nil
}

// confirm is a click on Confirm: the prompt must still be fresh, and the
// clicker is checked again before the signal goes out. The answer replaces
// the prompt, so its buttons disappear.
func (r *Router) confirm(ctx context.Context, rq *request, id customID) (reply, error) {
	rq.audit = &auditEntry{action: "power " + string(id.signal), via: "confirm", server: id.key}
	rq.server = id.key
	// The clicker is checked first, so a refusal is a refusal whatever the
	// button's age, and the audit says so.
	if err := r.acl.Check(rq.member, tierFor(id.signal), id.key); err != nil {
		return reply{}, err
	}
	now := r.now()
	if now.Unix() > id.expiry {
		rq.audit.outcome = "expired: nothing sent"
		return say(fmt.Sprintf("This confirmation expired, so nothing was sent. Run /power again to %s the server.", id.signal), true), nil
	}
	if id.expiryTime().After(now.Add(r.confirmTTL + confirmSlack)) {
		return reply{}, &userError{msg: msgOutdatedButton, cause: fmt.Errorf("confirm expiry %d beyond the TTL", id.expiry)}
	}
	t, err := r.targetByKey(ctx, rq, id.key, tierFor(id.signal))
	if err != nil {
		return reply{}, err
	}
	return r.sendPower(ctx, rq, t, id.signal)
}

// cancel is a click on Cancel: nothing is sent and the prompt says so.
func (r *Router) cancel(rq *request, id customID) (reply, error) {
	rq.server = id.key
	rq.audit = &auditEntry{action: "power " + string(id.signal), via: "confirm", server: id.key, outcome: "cancelled", quiet: true}
	return say("Cancelled; nothing was sent.", true), nil
}
