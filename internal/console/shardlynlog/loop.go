package shardlynlog

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/console/replay"
	"github.com/panelbot/panelbot/internal/panel"
	api "github.com/panelbot/panelbot/internal/panel/shardlyn"
	"github.com/panelbot/panelbot/internal/trunc"
)

// Notices the channel is told.
const (
	noticeLost      = "Lost the connection to the Shardlyn console; reconnecting."
	noticeNotYet    = "Cannot reach the Shardlyn console yet; retrying."
	noticeBack      = "Reconnected to the Shardlyn console."
	noticeGap       = "The console reconnected, but some lines from while it was interrupted may be missing."
	noticeStopped   = "The console relay stopped: "
	noticeRefused   = noticeStopped + "Shardlyn refused the bot's credentials for this console. Check the Shardlyn login in the bot's config."
	noticeForbidden = noticeStopped + "the bot's Shardlyn account may not read this instance's console."
	noticeGone      = noticeStopped + "Shardlyn no longer has this instance."
)

// outcome is how one connection ended.
type outcome struct {
	err       error
	permanent bool   // stop streaming; notice says why
	notice    string // for the channel when permanent
	renew     bool   // the credential expired or was refused: get a fresh one
	delivered bool   // lines arrived, so the connection was healthy
}

// run is what outlives one connection within a Stream call.
type run struct {
	s         *Source
	sink      console.Sink
	al        *replay.Aligner
	outage    bool // a "lost the connection" notice is standing
	connected bool // some connection has ever succeeded
	refusals  int  // handshakes refused in a row for the credential
}

// Stream relays the console until ctx ends or a permanent failure, which
// it announces with a notice and returns.
func (s *Source) Stream(ctx context.Context, sink console.Sink) error {
	if sink == nil {
		return errors.New("shardlyn console: sink must not be nil")
	}
	r := &run{s: s, sink: sink, al: replay.New(s.window)}
	return r.loop(ctx)
}

// loop reconnects with backoff. An expired token is renewed at once, but
// only once in a row; a connection that delivered lines resets the backoff.
func (r *run) loop(ctx context.Context) error {
	for attempt := 0; ; {
		o := r.session(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if o.permanent {
			r.s.log.Error("shardlyn console stopped for good", "instance", r.s.id, "err", o.err)
			r.sink.Notice(o.notice)
			return o.err
		}
		r.s.log.Info("shardlyn console connection ended", "instance", r.s.id, "err", o.err, "renew", o.renew)
		if o.delivered {
			attempt = 0
		}
		if o.renew && attempt == 0 {
			attempt++
			continue
		}
		r.lost()
		if err := backoff.Sleep(ctx, r.s.clock, r.s.backoff.Delay(attempt)); err != nil {
			return err
		}
		attempt++
	}
}

// lost tells the channel once per outage that the console is reconnecting.
func (r *run) lost() {
	if r.outage {
		return
	}
	r.outage = true
	if r.connected {
		r.sink.Notice(noticeLost)
		return
	}
	r.sink.Notice(noticeNotYet)
}

// back ends an outage once a connection is open again.
func (r *run) back() {
	r.refusals, r.connected = 0, true
	if r.outage {
		r.outage = false
		r.sink.Notice(noticeBack)
	}
}

// socketFailure classifies a failure to get a credential: a refused login
// or MFA is the owner's to fix; anything else heals.
func socketFailure(err error) outcome {
	var pe *panel.Error
	if errors.As(err, &pe) && (pe.Class == panel.ErrUnauthorized || pe.Class == panel.ErrConfig || pe.Class == panel.ErrNotFound) {
		return outcome{err: err, permanent: true, notice: noticeStopped + panel.UserMessage(err)}
	}
	return outcome{err: err}
}

// handshakeFailure reads a refused upgrade. A 401 renews the credential and
// tries once more; a second refusal in a row, a 403 or a 404 is final.
func (r *run) handshakeFailure(sock api.Socket, resp *http.Response, err error) outcome {
	if resp == nil {
		return outcome{err: err}
	}
	perr := &panel.Error{Op: "open console " + r.s.id, Status: resp.StatusCode, Detail: errorText(resp), Class: panel.ErrUnavailable}
	switch status := resp.StatusCode; {
	case status == http.StatusUnauthorized:
		perr.Class = panel.ErrUnauthorized
		r.refusals++
		r.s.sock.SocketRefused(sock)
		if r.s.sock.SocketRenewable() && r.refusals < 2 {
			return outcome{err: perr, renew: true}
		}
		return outcome{err: perr, permanent: true, notice: noticeRefused}
	case status == http.StatusForbidden:
		perr.Class = panel.ErrForbidden
		return outcome{err: perr, permanent: true, notice: noticeForbidden}
	case status == http.StatusNotFound, status == http.StatusGone:
		perr.Class = panel.ErrNotFound
		return outcome{err: perr, permanent: true, notice: noticeGone}
	case status == http.StatusTooManyRequests:
		perr.Class = panel.ErrRateLimited
	}
	return outcome{err: perr}
}

// errorText reads the documented {"error": ...} envelope of a refused
// handshake, for the log.
func errorText(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	var env struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&env)
	if strings.Contains(env.Error, "eyJ") || strings.Contains(env.Error, "shardlyn_api_") {
		return "(withheld: it quotes a credential)"
	}
	return trunc.Runes(strings.ToValidUTF8(env.Error, ""), 200)
}

// closeOutcome reads why the server ended a connection. The document does
// not say what an open socket does when its access token expires; a close
// with 1008 (policy violation) or a reason naming the token is taken as
// that, and answered with a fresh token.
func closeOutcome(err error, delivered bool) outcome {
	o := outcome{err: err, delivered: delivered}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		reason := strings.ToLower(ce.Text)
		o.renew = ce.Code == websocket.ClosePolicyViolation || ce.Code == 4001 || ce.Code == 4401 ||
			strings.Contains(reason, "expired") || strings.Contains(reason, "token")
	}
	return o
}
