package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
)

type result struct {
	rep reply
	err error
}

// answer runs the handler and answers within Discord's window: directly when
// the handler finishes within DeferAfter, otherwise by deferring (with the
// route's declared ephemerality) and editing @original once it finishes.
// Errors always end up visible only to the user: see lateError. It returns
// the handler's error, for the Observer.
func (r *Router) answer(ctx, dctx context.Context, s Session, rq *request, rt route) error {
	if rt.update && !clickedEphemeral(rq.i) {
		// Only a private prompt is replaced in place: a click never rewrites
		// a message others see, nor could it make it private. The answer
		// goes out as a new private message instead.
		rt.update = false
	}
	hctx, cancel := context.WithTimeout(ctx, r.callTO)
	defer cancel()
	done := make(chan result, 1)
	go func() { done <- r.run(hctx, rq, rt) }()
	timer := time.NewTimer(r.deferAfter)
	defer timer.Stop()
	var res result
	select {
	case res = <-done:
		r.finishAudit(rq, res.err)
		r.respondNow(dctx, s, rq, rt, res)
	case <-timer.C:
		deferred := r.deferResponse(dctx, s, rq, rt)
		res = <-done
		r.finishAudit(rq, res.err)
		if deferred {
			r.respondLate(dctx, s, rq, rt, res)
		} else if res.err != nil {
			r.logFailure(rq, res.err)
		}
	}
	return res.err
}

// run calls the handler. A panic (a panel client tripping on an answer it
// did not expect) becomes an error for this one user instead of ending the
// bot for everyone; the stack goes to the log.
func (r *Router) run(ctx context.Context, rq *request, rt route) (res result) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("handler panicked", r.baseAttrs(rq, slog.Any("panic", p), slog.String("stack", string(debug.Stack())))...)
			res = result{err: &userError{msg: msgInternal, cause: fmt.Errorf("handler panicked: %v", p)}}
		}
	}()
	rep, err := rt.handle(ctx, rq)
	return result{rep, err}
}

func (r *Router) respondNow(dctx context.Context, s Session, rq *request, rt route, res result) {
	typ := discordgo.InteractionResponseChannelMessageWithSource
	rep := res.rep
	if res.err != nil {
		r.logFailure(rq, res.err)
		rep = say(userText(res.err), true)
	}
	if rt.update {
		typ = discordgo.InteractionResponseUpdateMessage
	}
	err := s.InteractionRespond(rq.i, &discordgo.InteractionResponse{Type: typ, Data: rep.data()}, discordgo.WithContext(dctx))
	if err != nil {
		r.logDiscord(rq, "respond", err)
	}
}

// deferResponse acknowledges the interaction before the handler is done.
func (r *Router) deferResponse(dctx context.Context, s Session, rq *request, rt route) bool {
	resp := &discordgo.InteractionResponse{Type: deferredNewMessage}
	if rt.update {
		resp.Type = discordgo.InteractionResponseDeferredMessageUpdate
	} else if rt.ephemeral {
		resp.Data = &discordgo.InteractionResponseData{Flags: ephemeralFlag, AllowedMentions: noMentions()}
	}
	err := s.InteractionRespond(rq.i, resp, discordgo.WithContext(dctx))
	switch {
	case err == nil:
		return true
	case alreadyAcknowledged(err):
		// discordgo resends a callback that met a 502; when the first one
		// had in fact arrived, Discord answers 40060. The deferral stands,
		// and the answer must still replace it.
		r.log.Warn("deferral was already acknowledged; answering anyway", r.baseAttrs(rq, slog.String("step", "defer"))...)
		return true
	default:
		// Without an acknowledged interaction there is nothing to edit. The
		// handler is still running, so only the fields it never writes are
		// logged here.
		r.log.Error("discord call failed", r.baseAttrs(rq, slog.String("step", "defer"), slog.String("error", discordError(rq.i, err)))...)
		return false
	}
}

// alreadyAcknowledged reports Discord's 40060: the interaction was answered
// already, by an earlier attempt of the same call.
func alreadyAcknowledged(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeInteractionHasAlreadyBeenAcknowledged
}

func (r *Router) respondLate(dctx context.Context, s Session, rq *request, rt route, res result) {
	if res.err != nil {
		r.logFailure(rq, res.err)
		r.lateError(dctx, s, rq, rt, say(userText(res.err), true))
		return
	}
	if _, err := s.InteractionResponseEdit(rq.i, res.rep.edit(), discordgo.WithContext(dctx)); err != nil {
		r.logDiscord(rq, "edit original", err)
	}
}

// lateError shows an error after a deferral, to the user only. When the
// deferral was already private (an ephemeral "thinking…", or a deferred update
// of a private prompt: answer only keeps update for those) the error simply
// replaces @original. When it was public, @original is deleted and the error
// goes out as an ephemeral follow-up; deleting first matters, because Discord
// turns the first follow-up after a deferral into the deferred message
// itself, public. Should the delete fail, the error replaces @original
// instead: public, but it is the same safe sentence and the channel is not
// left with a spinner.
func (r *Router) lateError(dctx context.Context, s Session, rq *request, rt route, rep reply) {
	opt := discordgo.WithContext(dctx)
	if !rt.update && !rt.ephemeral {
		err := s.InteractionResponseDelete(rq.i, opt)
		if err == nil {
			if _, err := s.FollowupMessageCreate(rq.i, true, rep.followup(), opt); err != nil {
				r.logDiscord(rq, "follow-up", err)
			}
			return
		}
		r.logDiscord(rq, "delete original", err)
	}
	if _, err := s.InteractionResponseEdit(rq.i, rep.edit(), opt); err != nil {
		r.logDiscord(rq, "edit original", err)
	}
}

// logFailure gives the operator the whole chain; refusals are routine and
// logged quieter than panel failures.
func (r *Router) logFailure(rq *request, err error) {
	level := slog.LevelWarn
	var ue *userError
	if errors.Is(err, acl.ErrDenied) || errors.As(err, &ue) {
		level = slog.LevelInfo
	}
	r.log.Log(context.Background(), level, "interaction failed", r.attrs(rq, slog.String("error", err.Error()))...)
}

func (r *Router) logDiscord(rq *request, step string, err error) {
	r.log.Error("discord call failed", r.attrs(rq, slog.String("step", step), slog.String("error", discordError(rq.i, err)))...)
}

// discordError is a failed Discord call's error for the log. A network error
// quotes the request's URL, and the interaction routes carry the interaction
// token, a credential for 15 minutes: it is cut out.
func discordError(i *discordgo.Interaction, err error) string {
	msg := err.Error()
	if len(i.Token) >= 8 {
		msg = strings.ReplaceAll(msg, i.Token, "[interaction token]")
	}
	return msg
}

// attrs are the log attributes of a request whose handler has finished.
func (r *Router) attrs(rq *request, more ...any) []any {
	return r.baseAttrs(rq, append([]any{slog.String("server", rq.server)}, more...)...)
}

// baseAttrs leaves out what the handler fills in, so it is safe to call while
// the handler runs.
func (r *Router) baseAttrs(rq *request, more ...any) []any {
	a := []any{
		slog.String("user_id", rq.userID), slog.String("user", rq.user),
		slog.String("command", rq.name), slog.String("interaction", rq.i.ID),
	}
	return append(a, more...)
}
