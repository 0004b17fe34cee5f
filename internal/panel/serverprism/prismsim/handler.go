package prismsim

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// The bodies the simulator answers with (Laravel's texts where ServerPrism
// documents only the status).
const (
	MsgUnauthenticated = "Unauthenticated."
	MsgTooMany         = "Too Many Attempts."
	MsgNotFound        = "Server not found."
	MsgNotRunning      = "Server must be online in order to send commands."
	MsgNodeDown        = "Upstream node temporarily unavailable. Retry after a short delay."
	MsgServerError     = "Server Error"
	// MaxCommandLength is the documented limit, in characters.
	MaxCommandLength = 1024
)

const (
	serversPath = "/api/v1/client/servers"
	maxBody     = 64 << 10
)

// route is what a path and method resolve to.
type route struct {
	kind  string // "list", "details", "power", "command"
	id    string
	scope string
	write bool
}

// ServeHTTP answers one request; the Sim is its own handler.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.http.Serve(w, r, maxBody, simkit.Recorder(s.clock), s.route)
}

// route runs the checks in Laravel's order: route, token, bucket, scope,
// then the endpoint (server, body, state).
func (s *Sim) route(w http.ResponseWriter, r *http.Request, body []byte) {
	rt, status, msg := resolve(r.Method, r.URL.Path)
	if status != 0 {
		writeMessage(w, status, msg)
		return
	}
	tok := s.authenticate(r.Header.Values("Authorization"))
	if tok == nil {
		writeMessage(w, http.StatusUnauthorized, MsgUnauthenticated)
		return
	}
	if wait, ok := s.admit(bucketKey{customer: tok.customer, write: rt.write}); !ok {
		w.Header().Set("Retry-After", simkit.RetryAfter(wait))
		writeMessage(w, http.StatusTooManyRequests, MsgTooMany)
		return
	}
	if f, ok := s.faults.Take(r.URL.Path); ok {
		s.writeFailure(w, f.Status, rt)
		return
	}
	if !tok.scopes[rt.scope] {
		writeMessage(w, http.StatusForbidden, scopeMessage(rt.scope))
		return
	}
	s.endpoint(w, r, rt, tok.customer, body)
}

// resolve matches Laravel's routes: 404 for an unknown route, 405 for a
// known one with the wrong method.
func resolve(method, path string) (route, int, string) {
	rest, ok := strings.CutPrefix(path, serversPath)
	var rt route
	var allowed string
	switch parts := strings.Split(strings.TrimPrefix(rest, "/"), "/"); {
	case !ok || (rest != "" && !strings.HasPrefix(rest, "/")) || (rest != "" && parts[0] == ""):
		return route{}, http.StatusNotFound, simkit.LaravelRouteNotFound(path)
	case rest == "":
		rt, allowed = route{kind: "list", scope: ScopeRead}, http.MethodGet
	case len(parts) == 1:
		rt, allowed = route{kind: "details", id: parts[0], scope: ScopeRead}, http.MethodGet
	case len(parts) == 2 && (parts[1] == "power" || parts[1] == "command"):
		rt, allowed = route{kind: parts[1], id: parts[0], scope: ScopeControl, write: true}, http.MethodPost
	default:
		return route{}, http.StatusNotFound, simkit.LaravelRouteNotFound(path)
	}
	if method != allowed {
		return route{}, http.StatusMethodNotAllowed, simkit.LaravelMethodNotAllowed(method, path, allowed)
	}
	return rt, 0, ""
}

// authenticate accepts exactly "Bearer <token>" with a live token.
func (s *Sim) authenticate(values []string) *tokenInfo {
	if len(values) != 1 {
		return nil
	}
	tok, ok := strings.CutPrefix(values[0], "Bearer ")
	if !ok || tok == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ti := s.tokens[tok]
	if ti == nil || ti.revoked {
		return nil
	}
	return ti
}

func scopeMessage(scope string) string {
	return "This token does not include the " + scope + " scope."
}

// admit counts the request in its customer's bucket, a sliding window;
// when it is full it says how long until the oldest request leaves it.
func (s *Sim) admit(k bucketKey) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := s.reads
	if k.write {
		limit = s.writes
	}
	b := s.buckets[k]
	if b == nil {
		b = &simkit.Window{}
		s.buckets[k] = b
	}
	return b.Admit(s.clock.Now(), limit, s.window)
}

// writeFailure answers an injected failure with ServerPrism's body for it.
func (s *Sim) writeFailure(w http.ResponseWriter, status int, rt route) {
	msg := MsgServerError
	switch status {
	case http.StatusUnauthorized:
		msg = MsgUnauthenticated
	case http.StatusForbidden:
		msg = scopeMessage(rt.scope)
	case http.StatusNotFound:
		msg = MsgNotFound
	case http.StatusPreconditionFailed:
		msg = MsgNotRunning
	case http.StatusUnprocessableEntity:
		writeInvalid(w, "command", "The command field is required.")
		return
	case http.StatusTooManyRequests:
		msg = MsgTooMany
		w.Header().Set("Retry-After", simkit.RetryAfter(s.window))
	case http.StatusServiceUnavailable:
		msg = MsgNodeDown
	}
	writeMessage(w, status, msg)
}

// jsonFields reads a JSON object body the way Laravel does: only an
// application/json body is read, and one that does not parse has no fields.
func jsonFields(contentType string, body []byte) map[string]any {
	mt, _, _ := mime.ParseMediaType(contentType)
	var fields map[string]any
	if mt != "application/json" || json.Unmarshal(body, &fields) != nil {
		return nil
	}
	return fields
}

// requiredString applies Laravel's "required|string" (after its
// TrimStrings and ConvertEmptyStringsToNull middleware).
func requiredString(fields map[string]any, name string) (string, string) {
	v, ok := fields[name]
	if !ok || v == nil {
		return "", "The " + name + " field is required."
	}
	str, ok := v.(string)
	if !ok {
		return "", "The " + name + " field must be a string."
	}
	if strings.TrimSpace(str) == "" {
		return "", "The " + name + " field is required."
	}
	if utf8.RuneCountInString(str) > MaxCommandLength && name == "command" {
		return "", fmt.Sprintf("The command field must not be greater than %d characters.", MaxCommandLength)
	}
	return str, ""
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

func writeInvalid(w http.ResponseWriter, field, msg string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": msg, "errors": map[string][]string{field: {msg}}})
}

// writeJSON answers as Laravel's JsonResponse does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	simkit.WriteJSON(w, "application/json", status, v)
}
