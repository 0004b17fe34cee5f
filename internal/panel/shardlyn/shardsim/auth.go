package shardsim

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// claims of the simulator's HS256 JWTs. typ tells access, refresh and MFA
// challenge tokens apart, so one cannot stand in for another.
type claims struct {
	Sub string `json:"sub"`
	Typ string `json:"typ"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
	JTI uint64 `json:"jti"`
}

// caller is who a request authenticated as.
type caller struct {
	email   string
	expires time.Time // zero for an API token
}

func (s *Sim) signLocked(sub, typ string, ttl time.Duration) string {
	now := s.now()
	c := claims{Sub: sub, Typ: typ, Iat: now.Unix(), Exp: now.Add(ttl).Unix(), JTI: s.nextJTI}
	s.nextJTI++
	return simkit.SignHS256(s.key, `{"alg":"HS256","typ":"JWT"}`, c)
}

// verify checks a JWT's signature and shape, not its age or kind.
func (s *Sim) verify(tok string) (claims, error) {
	var c claims
	err := simkit.VerifyHS256(s.key, tok, &c)
	return c, err
}

// tokenPairLocked is the documented login and refresh answer.
func (s *Sim) tokenPairLocked(email string) map[string]any {
	refresh := s.signLocked(email, "refresh", s.cfg.refreshTTL)
	s.refresh[refresh] = true
	return map[string]any{
		"access_token":  s.signLocked(email, "access", s.cfg.accessTTL),
		"refresh_token": refresh,
		"expires_in":    int(s.cfg.accessTTL / time.Second),
		"token_type":    "Bearer",
	}
}

// login: 400 for a bad body, 401 for a wrong email or password, 429 while
// the account is locked after repeated failures ("stricter limits with
// account lockout"), mfa_required for an MFA account, else the tokens.
func (s *Sim) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Email == "" || body.Password == "" {
		writeError(w, http.StatusBadRequest, "email and password are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, now := s.accounts[body.Email], s.now()
	switch {
	case a != nil && now.Before(a.lockedUntil):
		writeError(w, http.StatusTooManyRequests, "account temporarily locked after too many failed login attempts")
	case a == nil || a.password != body.Password:
		s.failLoginLocked(a, now)
		writeError(w, http.StatusUnauthorized, "invalid email or password")
	case a.mfa:
		a.failures = 0
		writeJSON(w, http.StatusOK, map[string]any{"mfa_required": true, "mfa_token": s.signLocked(a.email, "mfa", 5*time.Minute)})
	default:
		a.failures = 0
		writeJSON(w, http.StatusOK, s.tokenPairLocked(a.email))
	}
}

func (s *Sim) failLoginLocked(a *account, now time.Time) {
	if a == nil {
		return
	}
	a.failures++
	if a.failures >= s.cfg.lockFailures {
		a.failures, a.lockedUntil = 0, now.Add(s.cfg.lockFor)
	}
}

// refreshToken rotates: a refresh token works once, then the new pair
// replaces it.
func (s *Sim) refreshToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.RefreshToken == "" {
		writeError(w, http.StatusBadRequest, "refresh_token is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.verify(body.RefreshToken)
	if err != nil || c.Typ != "refresh" || !s.refresh[body.RefreshToken] || !s.now().Before(time.Unix(c.Exp, 0)) {
		writeError(w, http.StatusUnauthorized, "invalid or expired refresh token")
		return
	}
	delete(s.refresh, body.RefreshToken)
	writeJSON(w, http.StatusOK, s.tokenPairLocked(c.Sub))
}

// decodeBody insists on the documented Content-Type and a JSON object.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		writeError(w, http.StatusBadRequest, "Content-Type must be application/json")
		return false
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid request body")
		return false
	}
	return true
}

// authed guards a JWT endpoint. API tokens are accepted too: the document
// offers them "for programmatic access" with the same bearer header.
func (s *Sim) authed(h func(http.ResponseWriter, *http.Request, caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, msg := s.authenticate(r.Header.Get("Authorization"))
		if msg != "" {
			writeError(w, http.StatusUnauthorized, msg)
			return
		}
		h(w, r, who)
	}
}

// authenticate returns the caller, or the error sentence of a 401.
func (s *Sim) authenticate(header string) (caller, string) {
	if header == "" {
		return caller{}, "missing authorization header"
	}
	tok, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || tok == "" {
		return caller{}, "invalid authorization header"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.HasPrefix(tok, "shardlyn_api_") {
		if !s.apiTokens[tok] {
			return caller{}, "invalid API token"
		}
		return caller{email: DefaultEmail}, ""
	}
	c, err := s.verify(tok)
	switch {
	case err != nil || c.Typ != "access":
		return caller{}, "invalid token"
	case c.JTI < s.minJTI:
		return caller{}, "token revoked"
	case !s.now().Before(time.Unix(c.Exp, 0)):
		return caller{}, "token expired"
	}
	return caller{email: c.Sub, expires: time.Unix(c.Exp, 0)}, ""
}

func authMethod(r *http.Request) AuthMethod {
	h := r.Header.Get("Authorization")
	switch {
	case h == "":
		return AuthNone
	case strings.HasPrefix(h, "Bearer shardlyn_api_"):
		return AuthAPIToken
	default:
		return AuthJWT
	}
}
