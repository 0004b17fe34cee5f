package shardlyn

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

const (
	// renewAtFraction: an access token is renewed once this share of its
	// life has passed, so a call never leaves with a token about to die.
	renewAtFraction = 0.8
	// loginCooldown: after Shardlyn refuses the password (or asks for MFA),
	// the bot stops logging in for this long, because Shardlyn locks an
	// account after repeated failures.
	loginCooldown = 15 * time.Minute
	// renewRetry: after a renewal fails for a passing reason while the old
	// token still works, the next attempt waits this long.
	renewRetry = 15 * time.Second
)

// credential is one Authorization value. gen tells tokens apart, so a 401
// only discards the token that earned it.
type credential struct {
	value   string
	expires time.Time // zero: does not expire (API token)
	gen     uint64
}

// renewal is one login or refresh shared by every caller that needs a
// token meanwhile.
type renewal struct {
	done chan struct{}
	cred credential
	err  error
}

// session owns the access token of a password login: it logs in, renews
// through the refresh endpoint before expiry, and re-logs in when the
// refresh token is refused. API tokens bypass it.
type session struct {
	c *Client

	mu        sync.Mutex
	cur       credential
	refresh   string
	renewAt   time.Time
	retryAt   time.Time
	flight    *renewal
	latched   *panel.Error
	latchTill time.Time
}

func newSession(c *Client) *session { return &session{c: c} }

// credential returns a token good for one request, renewing it first when
// it is old. Concurrent callers share one renewal.
func (s *session) credential(ctx context.Context) (credential, error) {
	if !s.c.auth.usesPassword() {
		return credential{value: s.c.auth.token}, nil
	}
	s.mu.Lock()
	now := s.c.api.Now()
	if s.latched != nil && now.Before(s.latchTill) {
		err := *s.latched
		s.mu.Unlock()
		return credential{}, &err
	}
	if cur, ok := s.usableLocked(now); ok {
		s.mu.Unlock()
		return cur, nil
	}
	r := s.renewalLocked(ctx)
	s.mu.Unlock()
	select {
	case <-r.done:
		return r.cred, r.err
	case <-ctx.Done():
		return credential{}, ctx.Err()
	}
}

// renewalLocked joins the renewal in flight or starts one. The renewal
// serves every waiter, so no single caller's cancellation may stop it; do
// bounds each of its requests with the client's timeout.
func (s *session) renewalLocked(ctx context.Context) *renewal {
	if s.flight == nil {
		s.flight = &renewal{done: make(chan struct{})}
		go s.renew(context.WithoutCancel(ctx), s.flight)
	}
	return s.flight
}

// usableLocked: the current token is fresh, or renewing it failed a moment
// ago for a passing reason and it has not expired yet.
func (s *session) usableLocked(now time.Time) (credential, bool) {
	if s.cur.value == "" {
		return credential{}, false
	}
	if now.Before(s.renewAt) {
		return s.cur, true
	}
	return s.cur, now.Before(s.retryAt) && now.Before(s.cur.expires)
}

// reject discards a token the panel answered 401 to, so the next call
// renews; a token already replaced is left alone.
func (s *session) reject(c credential) {
	if !s.c.auth.usesPassword() {
		return
	}
	s.mu.Lock()
	if s.cur.gen == c.gen && s.cur.value != "" {
		s.cur.value = ""
	}
	s.mu.Unlock()
}

func (s *session) renew(ctx context.Context, r *renewal) {
	s.mu.Lock()
	refresh := s.refresh
	s.mu.Unlock()
	start := s.c.api.Now()
	var (
		tr  tokenResponse
		err error
	)
	if refresh != "" {
		tr, err = s.c.refreshToken(ctx, refresh)
		if refreshRefused(err) {
			tr, err = s.c.login(ctx)
		}
	} else {
		tr, err = s.c.login(ctx)
	}
	var life time.Duration
	if err == nil {
		life, err = tokenLifetime(tr, start)
	}
	s.finish(r, tr, start, life, err)
}

// refreshRefused: the refresh token is dead (expired, rotated, revoked), so
// only a new login helps. Anything else (network, 5xx) is not the token's
// fault and a login would not do better.
func refreshRefused(err error) bool {
	var pe *panel.Error
	return errors.As(err, &pe) && (pe.Status == http.StatusUnauthorized || pe.Status == http.StatusBadRequest ||
		pe.Status == http.StatusForbidden)
}

func (s *session) finish(r *renewal, tr tokenResponse, start time.Time, life time.Duration, err error) {
	s.mu.Lock()
	defer close(r.done)
	defer s.mu.Unlock()
	s.flight = nil
	if err == nil {
		s.cur = credential{value: tr.AccessToken, expires: start.Add(life), gen: s.cur.gen + 1}
		if tr.RefreshToken != "" {
			s.refresh = tr.RefreshToken
		}
		s.renewAt = start.Add(time.Duration(float64(life) * renewAtFraction))
		s.retryAt, s.latched = time.Time{}, nil
		r.cred = s.cur
		return
	}
	r.err = err
	s.failLocked(r, err)
}

// failLocked decides what a failed renewal leaves behind: a latch when the
// login itself was refused (so the account is not locked by retries), the
// old token when it still works.
func (s *session) failLocked(r *renewal, err error) {
	now := s.c.api.Now()
	if till, ok := latchUntil(err, now); ok {
		var pe *panel.Error
		errors.As(err, &pe)
		s.latched, s.latchTill = pe, till
		s.cur, s.refresh = credential{}, ""
		return
	}
	if s.cur.value != "" && now.Before(s.cur.expires) {
		s.c.log.Warn("shardlyn token renewal failed; using the current token meanwhile", "err", err)
		s.retryAt = now.Add(renewRetry)
		r.cred, r.err = s.cur, nil
	}
}

// latchUntil: a refused password or MFA stops logins for loginCooldown; a
// login refused for its rate (or a locked account) until the panel's
// retry time, at least a minute.
func latchUntil(err error, now time.Time) (time.Time, bool) {
	var pe *panel.Error
	if !errors.As(err, &pe) || pe.Op != "log in" {
		return time.Time{}, false
	}
	switch pe.Class {
	case panel.ErrUnauthorized, panel.ErrConfig:
		return now.Add(loginCooldown), true
	case panel.ErrRateLimited:
		return now.Add(max(pe.RetryAfter, time.Minute)), pe.Status == http.StatusTooManyRequests
	}
	return time.Time{}, false
}

// login and refreshToken go through the one request funnel like every
// other call; they carry no Authorization header.
func (c *Client) login(ctx context.Context) (tokenResponse, error) {
	var tr tokenResponse
	body := map[string]string{"email": c.auth.email, "password": c.auth.password}
	err := c.do(ctx, httpapi.Request{Op: "log in", Method: http.MethodPost, Path: "/v1/auth/login", Body: body, NoAuth: true}, &tr)
	var pe *panel.Error
	if errors.As(err, &pe) {
		return tr, loginRefused(pe)
	}
	if err != nil {
		return tr, err
	}
	if tr.MFARequired {
		return tr, mfaError()
	}
	return tr, tr.check("log in")
}

func (c *Client) refreshToken(ctx context.Context, refresh string) (tokenResponse, error) {
	var tr tokenResponse
	body := map[string]string{"refresh_token": refresh}
	err := c.do(ctx, httpapi.Request{Op: "refresh token", Method: http.MethodPost, Path: "/v1/auth/refresh", Body: body, NoAuth: true}, &tr)
	if err != nil {
		return tr, err
	}
	return tr, tr.check("refresh token")
}
