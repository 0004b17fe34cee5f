package commands

import (
	"context"
	"errors"
	"log/slog"
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
// Errors always end up visible only to the user: see lateError.
func (r *Router) answer(ctx, dctx context.Context, s Session, rq *request, rt route) {
	hctx, cancel := context.WithTimeout(ctx, r.callTO)
	defer cancel()
	done := make(chan result, 1)
	go func() {
		rep, err := rt.handle(hctx, rq)
		done <- result{rep, err}
	}()
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
		}
	}
}

func (r *Router) respondNow(dctx context.Context, s Session, rq *request, rt route, res result) {
	typ := discordgo.InteractionResponseChannelMessageWithSource
	rep := res.rep
	if res.err != nil {
		r.logFailure(rq, res.err)
		rep = say(userText(res.err), true)
		if rt.update && clickedEphemeral(rq.i) {
			typ = discordgo.InteractionResponseUpdateMessage
		}
	} else if rt.update {
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
	if err := s.InteractionRespond(rq.i, resp, discordgo.WithContext(dctx)); err != nil {
		// Without an acknowledged interaction there is nothing to edit. The
		// handler is still running, so only the fields it never writes are
		// logged here.
		r.log.Error("discord call failed", r.baseAttrs(rq, slog.String("step", "defer"), slog.String("error", err.Error()))...)
		return false
	}
	return true
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
// of a private prompt) the error simply replaces @original. When it was public,
// @original is deleted and the error goes out as an ephemeral follow-up;
// deleting first matters, because Discord turns the first follow-up after a
// deferral into the deferred message itself, public. Should the delete fail,
// the error replaces @original instead: public, but it is the same safe
// sentence and the channel is not left with a spinner. A deferred update of a
// public message is left alone and the error follows up privately.
func (r *Router) lateError(dctx context.Context, s Session, rq *request, rt route, rep reply) {
	opt := discordgo.WithContext(dctx)
	private := (rt.update && clickedEphemeral(rq.i)) || (!rt.update && rt.ephemeral)
	if !private && !rt.update {
		if err := s.InteractionResponseDelete(rq.i, opt); err != nil {
			r.logDiscord(rq, "delete original", err)
			private = true
		}
	}
	if private {
		if _, err := s.InteractionResponseEdit(rq.i, rep.edit(), opt); err != nil {
			r.logDiscord(rq, "edit original", err)
		}
		return
	}
	if _, err := s.FollowupMessageCreate(rq.i, true, rep.followup(), opt); err != nil {
		r.logDiscord(rq, "follow-up", err)
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
	r.log.Error("discord call failed", r.attrs(rq, slog.String("step", step), slog.String("error", err.Error()))...)
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
