package pterosim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// Websocket token lifetimes and Pelican's throttle on the endpoint.
const (
	tokenLifetime        = 10 * time.Minute
	pelicanTokenLifetime = 15 * time.Minute
	pelicanSocketPerMin  = 5
)

// input reads a request body the way Laravel does: only a JSON content type
// is parsed, malformed JSON is no input at all, strings are trimmed and
// empty strings become null.
func input(r *http.Request, body []byte) map[string]any {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	in := map[string]any{}
	if !strings.Contains(ct, "/json") && !strings.Contains(ct, "+json") {
		return in
	}
	if err := json.Unmarshal(body, &in); err != nil || in == nil {
		return map[string]any{}
	}
	for k, v := range in {
		if str, ok := v.(string); ok {
			if str = strings.TrimSpace(str); str == "" {
				in[k] = nil
			} else {
				in[k] = str
			}
		}
	}
	return in
}

// validateString applies "required|string": it returns the value, or
// writes the 422 and returns false.
func validateString(w http.ResponseWriter, in map[string]any, field string) (string, bool) {
	v := in[field]
	if v == nil {
		writeValidation(w, field, "required", "The "+field+" field is required.")
		return "", false
	}
	str, ok := v.(string)
	if !ok {
		writeValidation(w, field, "string", "The "+field+" must be a string.")
		return "", false
	}
	return str, true
}

// power answers POST …/power {"signal": …} with 204 once the node has the
// signal; the state changes later, on the sim's clock.
func (s *Sim) power(w http.ResponseWriter, r *http.Request, sv *server, body []byte) {
	in := input(r, body)
	raw, _ := in["signal"].(string)
	if !s.allowed(sv, permForSignal(raw)) {
		writeError(w, http.StatusForbidden, "AccessDeniedHttpException", detailUnauthorize)
		return
	}
	sig, ok := validateString(w, in, "signal")
	if !ok {
		return
	}
	if _, err := panel.ParseSignal(sig); err != nil {
		writeValidation(w, "signal", "in", "The selected signal is invalid.")
		return
	}
	s.mu.Lock()
	down := s.nodeDown
	if !down {
		s.changedLocked(sv, sv.power(panel.Signal(sig), s.now(), s.delay))
		s.rearmLocked(sv)
	}
	s.mu.Unlock()
	s.noContentUnlessNodeDown(w, down)
}

// command answers POST …/command {"command": …}: 204 when the server runs;
// 502 when it does not (Pelican: 204, and the command is dropped).
func (s *Sim) command(w http.ResponseWriter, r *http.Request, sv *server, body []byte) {
	if !s.allowed(sv, "control.console") {
		writeError(w, http.StatusForbidden, "AccessDeniedHttpException", detailUnauthorize)
		return
	}
	cmd, ok := validateString(w, input(r, body), "command")
	if !ok {
		return
	}
	s.mu.Lock()
	s.settleLocked()
	down := s.nodeDown
	running := sv.state == panel.StateRunning || sv.state == panel.StateStarting
	if !down && running {
		s.hooks.push(hookEvent{uuid: sv.spec.UUID, command: cmd})
	}
	s.mu.Unlock()
	if !down && !running && !s.pelican {
		writeError(w, http.StatusBadGateway, "HttpException", detailOffline)
		return
	}
	s.noContentUnlessNodeDown(w, down)
}

func (s *Sim) noContentUnlessNodeDown(w http.ResponseWriter, down bool) {
	if down {
		writeError(w, http.StatusGatewayTimeout, "DaemonConnectionException", detailDaemon)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) allowed(sv *server, perm string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return allowedLocked(sv, perm)
}

// websocket answers GET …/websocket with a token and the node's socket,
// from the Node when there is one.
func (s *Sim) websocket(w http.ResponseWriter, _ *http.Request, sv *server, _ []byte) {
	if !s.allowed(sv, "websocket.connect") {
		writeError(w, http.StatusForbidden, "HttpForbiddenException", "You do not have permission to connect to this server's websocket.")
		return
	}
	if s.pelican && !s.socketAllowed(w, sv) {
		return
	}
	token, socket, err := s.credentials(sv)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "HttpException", detailUnexpected)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{"token": token, "socket": socket}})
}

// socketAllowed is Pelican's throttle: 5 a minute per server.
func (s *Sim) socketAllowed(w http.ResponseWriter, sv *server) bool {
	s.mu.Lock()
	now := s.now()
	_, retry, ok := sv.ws.hit(now, pelicanSocketPerMin)
	s.mu.Unlock()
	if !ok {
		writeThrottled(w, now, retry)
	}
	return ok
}

func (s *Sim) credentials(sv *server) (token, socket string, err error) {
	s.mu.Lock()
	spec, now := sv.spec, s.now()
	s.mu.Unlock()
	if s.node != nil {
		// Outside the lock: the node may call back into the sim.
		return s.node.Credentials(spec.UUID)
	}
	lifetime := tokenLifetime
	if s.pelican {
		lifetime = pelicanTokenLifetime
	}
	return s.mintToken(spec, now, lifetime), "wss://node.invalid:8080/api/servers/" + spec.UUID + "/ws", nil
}

// mintToken makes a token shaped like the panel's: HS256 over the claims
// Wings reads, signed with the sim's own secret.
func (s *Sim) mintToken(spec ServerSpec, now time.Time, lifetime time.Duration) string {
	perms := spec.Permissions
	if perms == nil {
		perms = []string{"*"}
	}
	claims := map[string]any{
		"iss": s.URL(), "aud": []string{s.URL()}, "jti": simkit.RandomHex(32),
		"iat": now.Unix(), "nbf": now.Add(-5 * time.Minute).Unix(), "exp": now.Add(lifetime).Unix(),
		"server_uuid": spec.UUID, "user_uuid": "00000000-0000-4000-8000-000000000001",
		"permissions": perms, "unique_id": simkit.RandomHex(16), "scope": "websocket",
	}
	return simkit.SignHS256(s.secret, `{"typ":"JWT","alg":"HS256"}`, claims)
}
