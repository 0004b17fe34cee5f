package wings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

var (
	errSocketMoved = errors.New("the panel handed out a different socket URL (server transferred?)")
	// errTokenRefused: the node refused a token fetched for that very auth,
	// so another try on the same socket cannot succeed; reconnect instead.
	errTokenRefused = errors.New("the node refused a freshly fetched token")
)

// session is one connection's control loop, run on the Stream's goroutine:
// it authenticates, re-authenticates on the same socket when the token runs
// out, asks for replays, and ends on any failure so that the run loop
// reconnects.
type session struct {
	r           *run
	c           *conn
	authPending bool
	reauth      bool // the pending auth replaces a token on a live socket
	fresh       bool // the pending auth's token was fetched for it, not cached
	authed      bool
	authTimer   *time.Timer
	settleTimer *time.Timer
}

func (r *run) session(ctx context.Context) error {
	r.authedAt = time.Time{}
	creds, fresh, err := r.s.tok.get(ctx, false)
	if err != nil {
		return err
	}
	ws, err := r.s.dial(ctx, creds.URL)
	if err != nil {
		return err
	}
	ss := &session{r: r, c: r.newConn(ws, creds.URL)}
	defer ss.end()
	ss.fresh = fresh
	if err := ss.authenticate(ctx, creds.Token, true, false); err != nil {
		return err
	}
	return ss.loop(ctx)
}

func (ss *session) loop(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			ss.c.close(true)
			return ctx.Err()
		case <-ss.c.dead:
			ss.noteLateAuth()
			return ss.c.err
		case m := <-ss.c.ctrl:
			if err := ss.handle(ctx, m); err != nil {
				return err
			}
		case <-timerC(ss.authTimer):
			// A node that never answers may be refusing the token itself
			// (a bad signature comes back as a generic daemon error).
			ss.r.s.tok.invalidate()
			return errAuthTimeout
		case <-timerC(ss.settleTimer):
			ss.settleTimer = nil
			if ss.r.lines.settle(time.Now(), ss.r.s.settle) {
				ss.settleTimer = time.NewTimer(ss.r.s.settle)
			}
		}
	}
}

// noteLateAuth records an auth success the reader passed on just before the
// connection died, so that the session counts as having authenticated.
func (ss *session) noteLateAuth() {
	for {
		select {
		case m := <-ss.c.ctrl:
			if m.kind == ctrlAuthOK && !ss.authed {
				ss.authed = true
				ss.r.authenticated()
			}
		default:
			return
		}
	}
}

// end closes the connection, joins its goroutines and decides any hold.
func (ss *session) end() {
	stopTimer(ss.authTimer)
	stopTimer(ss.settleTimer)
	ss.c.close(false)
	ss.r.lines.finish()
	s := ss.r.s
	s.mu.Lock()
	if s.cur == ss.c {
		s.cur = nil
	}
	s.mu.Unlock()
}

func (ss *session) handle(ctx context.Context, m ctrlMsg) error {
	switch m.kind {
	case ctrlAuthOK:
		return ss.onAuthOK(ctx, m.backlog, m.resync)
	case ctrlExpiring, ctrlExpired:
		if ss.authPending {
			return nil
		}
		return ss.refresh(ctx)
	case ctrlJWT:
		ss.c.jwtPending.Store(false)
		return ss.onJWTError(ctx, m.text)
	case ctrlThrottled:
		ss.c.throttled.Store(false)
		ss.onThrottled(m.text)
	}
	return nil
}

// authenticate sends `auth`. backlog asks for a replay once it succeeds.
func (ss *session) authenticate(ctx context.Context, token string, backlog, reauth bool) error {
	ss.c.wantBacklog.Store(backlog)
	if err := ss.c.send(ctx, "auth", token); err != nil {
		return err
	}
	ss.authPending, ss.reauth = true, reauth
	stopTimer(ss.authTimer)
	ss.authTimer = time.NewTimer(ss.r.s.authTimeout)
	return nil
}

func (ss *session) onAuthOK(ctx context.Context, backlog, resync bool) error {
	ss.authPending = false
	stopTimer(ss.authTimer)
	ss.authTimer = nil
	first := !ss.authed
	if first {
		ss.authed = true
		ss.r.authenticated()
	}
	if backlog {
		ss.requestReplay(ctx)
	}
	if resync {
		if err := ss.c.send(ctx, "send stats"); err != nil {
			ss.r.s.log.Warn("could not ask the node for the server's state after re-authenticating", "error", err)
		}
	}
	if first {
		ss.publish()
	}
	return nil
}

// publish makes the connection the one Send uses. It comes after the
// post-auth requests are queued, so that once the stream reports itself
// connected, its replay request is already on its way and nothing of the
// auth's handling is left to run.
func (ss *session) publish() {
	s := ss.r.s
	s.mu.Lock()
	s.cur = ss.c
	s.mu.Unlock()
}

// requestReplay sends `send logs`, unless the node's limit would refuse it:
// then the hold is released and the channel told lines may be missing.
func (ss *session) requestReplay(ctx context.Context) {
	if ss.c.lim.logs.TokensAt(ss.r.s.clock.Now()) < 1 {
		ss.r.s.log.Warn("not asking the node to replay its recent lines: its rate limit would refuse")
		ss.r.lines.cancel()
		return
	}
	if err := ss.c.send(ctx, "send logs"); err != nil {
		ss.r.lines.cancel()
		return
	}
	if ss.r.lines.holding() {
		stopTimer(ss.settleTimer)
		ss.settleTimer = time.NewTimer(ss.r.s.settle)
	}
}

// onJWTError reacts to the node refusing the token. After expiry the node
// replaces every event with "jwt: exp claim is invalid" without closing the
// socket, so this is the usual sign that lines are being lost: refresh and
// re-authenticate now; the reader has noted the loss and the next auth
// success brings a replay. While a re-auth is pending, exp errors are the
// tail of that flood and need no second refresh.
func (ss *session) onJWTError(ctx context.Context, text string) error {
	expired := strings.Contains(text, "exp claim is invalid")
	if ss.authPending && ss.reauth && expired {
		return nil
	}
	if strings.Contains(text, "denylist") {
		ss.r.s.tok.invalidate()
	}
	if ss.authPending && ss.fresh {
		// The answer to our own auth with a token fetched for it: refreshing
		// again on this socket would loop every fetch interval while the
		// channel hears nothing. Reconnect, with backoff and a notice.
		ss.r.s.tok.invalidate()
		return fmt.Errorf("%w: %s", errTokenRefused, truncate(text, 200))
	}
	ss.r.s.log.Info("the node refused the console token; fetching a new one", "reason", truncate(text, 200))
	return ss.refresh(ctx)
}

// refresh fetches a new token and authenticates with it on the same socket.
func (ss *session) refresh(ctx context.Context) error {
	creds, _, err := ss.r.s.tok.get(ctx, true)
	if err != nil {
		return err
	}
	if creds.URL != ss.c.url {
		return errSocketMoved
	}
	ss.fresh = true
	return ss.authenticate(ctx, creds.Token, !ss.authed, ss.authed)
}

// onThrottled backs off after the node dropped one of our frames.
func (ss *session) onThrottled(what string) {
	pause := time.Second
	if what == "auth" || what == "send logs" {
		pause = 5 * time.Second
	}
	ss.r.s.log.Warn("the node throttled the console connection; backing off", "event", truncate(what, 50), "pause", pause)
	ss.c.pauseUntil.Store(ss.r.s.clock.Now().Add(pause).UnixNano())
	if what == "send logs" {
		ss.r.lines.cancel() // the replay we asked for will not come
	}
}

func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}
