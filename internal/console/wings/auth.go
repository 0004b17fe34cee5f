package wings

import (
	"fmt"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/trunc"
)

// retryFetch is the pause before fetching a token again after a failed
// fetch, while the current one still works or the socket waits.
const retryFetch = 2 * time.Second

// authenticate sends `auth` with token; fresh says it was fetched for it.
func (ss *session) authenticate(token string, fresh bool) error {
	if err := ss.c.send("auth", token); err != nil {
		return err
	}
	ss.token, ss.authWait, ss.authFresh = token, true, fresh
	stopTimer(ss.authT)
	ss.authT = time.NewTimer(ss.s.authTimeout)
	return nil
}

// scheduleRenew arms the renewal a little before the token's exp, so the
// stream never goes silent; without a readable exp the node's `token
// expiring` is the only signal.
func (ss *session) scheduleRenew() {
	at := ss.s.tok.renewAt()
	if at.IsZero() {
		ss.renewC = nil
		return
	}
	ss.renewC = ss.s.clock.After(at.Sub(ss.s.clock.Now()))
}

// renew fetches a fresh token in the background; onFetched sends it.
func (ss *session) renew() {
	if ss.fetchC != nil || ss.authWait {
		return
	}
	ch := make(chan fetchResult, 1)
	ss.fetchC = ch
	ss.fetchs.Add(1)
	go func() {
		defer ss.fetchs.Done()
		c, fresh, err := ss.s.tok.get(ss.ctx, true)
		ch <- fetchResult{creds: c, fresh: fresh, err: err}
	}()
}

func (ss *session) onFetched(res fetchResult) error {
	if res.err != nil {
		if ss.s.permanent(res.err) != nil || ss.ctx.Err() != nil {
			return res.err
		}
		ss.s.log.Warn("could not fetch a new console token; trying again", "error", res.err, "in", retryFetch)
		ss.renewC = ss.s.clock.After(retryFetch)
		return nil
	}
	if res.creds.URL != ss.c.url {
		return errSocketMoved
	}
	return ss.authenticate(res.creds.Token, res.fresh)
}

// authAnswer strips Wings' "Error Event [<uuid>]: " prefix, which marks the
// node's answer to an `auth` frame (replaced events carry the bare text).
func authAnswer(text string) (msg string, toAuth bool) {
	if !strings.HasPrefix(text, "Error Event [") {
		return text, false
	}
	if _, rest, ok := strings.Cut(text, "]: "); ok {
		return rest, true
	}
	return text, false
}

// onJWTError reacts to the node refusing a token. An answer to our `auth`
// is handled by authRefused. A bare error took the place of an event: the
// token no longer works (it expired, or the node restarted and denylisted
// it), or, if it still should, the event was caught in a renewal's swap.
func (ss *session) onJWTError(text string) error {
	msg, toAuth := authAnswer(text)
	// Before the first auth success nothing but auth was sent: any refusal
	// answers it, prefixed or not (older nodes send the bare text).
	if ss.authWait && (toAuth || !ss.authed) {
		return ss.authRefused(msg)
	}
	switch {
	case strings.Contains(msg, "server uuid mismatch"):
		ss.s.tok.invalidate()
		return errWrongServer
	case strings.Contains(msg, "denylist"):
		ss.s.tok.invalidate()
		ss.lost = true
		ss.renew()
	case strings.Contains(msg, "exp claim is invalid") && ss.tokenStillValid():
		if !ss.r.al.Holding() {
			ss.requestReplay() // an event lost in a renewal's swap: fetch it back
		}
	case strings.Contains(msg, "exp claim is invalid"):
		ss.lost = true
		ss.renew()
	default:
		ss.s.log.Debug("the node refused an event", "reason", trunc.Runes(msg, 200))
	}
	return nil
}

// tokenStillValid reports whether the accepted token is fresh enough that a
// bare expiry error can only be the tail of the previous token's.
func (ss *session) tokenStillValid() bool {
	at := ss.s.tok.renewAt()
	return ss.authed && !ss.authWait && !at.IsZero() && ss.s.clock.Now().Before(at)
}

// authRefused handles the node's refusal of our `auth`: a missing
// permission cannot heal; a fresh token refused means reconnecting (with
// backoff and a notice); a cached one refused (expired, or denylisted by a
// node restart) is replaced by a fresh one on the same socket.
func (ss *session) authRefused(msg string) error {
	ss.authWait = false
	stopTimer(ss.authT)
	ss.authT = nil
	ss.s.tok.invalidate()
	switch {
	case strings.Contains(msg, "permission"):
		return &panel.Error{Class: panel.ErrForbidden, Op: "live console of " + ss.s.serverID, Detail: trunc.Runes(msg, 200)}
	case ss.authFresh:
		return fmt.Errorf("%w: %s", errTokenRefused, trunc.Runes(msg, 200))
	}
	ss.s.log.Info("the node refused the cached console token; fetching a new one", "reason", trunc.Runes(msg, 200))
	ss.renew()
	return nil
}

// onDaemonError: with the auth prefix, the node could not read our token
// (bad signature, malformed): handled like a refusal. Otherwise it is the
// node's generic report of a failed action, for the log.
func (ss *session) onDaemonError(text string) error {
	msg, toAuth := authAnswer(text)
	if ss.authWait && (toAuth || !ss.authed) {
		return ss.authRefused(msg)
	}
	ss.s.log.Warn("the node reported an error", "detail", trunc.Runes(msg, 200))
	return nil
}

// onThrottled backs off after the node dropped one of our frames.
func (ss *session) onThrottled(what string) {
	pause := time.Second
	if what == "auth" || what == "send logs" {
		pause = 5 * time.Second
	}
	ss.s.log.Warn("the node throttled the console connection; backing off", "event", trunc.Runes(what, 50), "pause", pause)
	ss.c.pauseFor(pause)
	switch {
	case what == "send logs" && ss.r.al.Holding():
		ss.holdC = nil
		ss.r.al.Cancel(ss.emit) // the replay we asked for will not come
		ss.r.sink.Notice(noticeNoReplay)
	case what == "auth" && ss.authWait:
		_ = ss.authenticate(ss.token, ss.authFresh) // the writer waits out the pause
	}
}
