package zamptosim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// The messages of zampto's error table, word for word.
const (
	MsgMissingAuth    = "Missing Authorization header"
	MsgAuthFormat     = "Invalid Authorization format. Use: Bearer <token>"
	MsgInvalidToken   = "Invalid token"
	MsgTokenFormat    = "Invalid token format"
	MsgInvalidKey     = "Unauthorized: Invalid API key"
	MsgInvalidJSON    = "Invalid JSON body"
	MsgServerRequired = "Server parameter is required"
	MsgInvalidServer  = "Invalid server ID"
	MsgNotFound       = "Server not found, not existent, or unauthorized"
	MsgNotSynced      = "This server has not yet been synced, please wait 10 minutes and try again"
	MsgPowerFailed    = "Failed to send power signal to server"
	MsgInternal       = "Internal server error"
	// MsgTooMany is not documented by zampto; it is express-rate-limit's.
	MsgTooMany = "Too many requests, please try again later."
)

// injectionPattern stands for zampto's "SQL injection or XSS patterns".
const injectionPattern = `(?i)['"<>;=` + "`" + `]|--|/\*|\*/|\b(select|union|insert|update|delete|drop|script|javascript|onerror|or|and)\b`

func newInjection() *regexp.Regexp { return regexp.MustCompile(injectionPattern) }

// maxBody bounds what the simulator reads of a request body.
const maxBody = 64 << 10

// ServeHTTP answers one request; the Sim is its own handler.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.http.Serve(w, r, maxBody, simkit.Recorder(s.clock), s.serve)
}

// serve applies zampto's checks in the order its middleware would: the rate
// limit, then (except for /health) the key, then the route and its body.
func (s *Sim) serve(w http.ResponseWriter, r *http.Request, body []byte) {
	if s.refused(w, r.URL.Path) {
		return
	}
	if r.URL.Path == "/health" && r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "timestamp": s.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z")})
		return
	}
	if status, msg := s.authenticate(r.Header.Values("Authorization")); status != 0 {
		writeEnvelope(w, status, msg)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/list":
		s.list(w)
	case r.Method == http.MethodPost && isPowerPath(r.URL.Path):
		s.power(w, r, body)
	default:
		notFound(w, r)
	}
}

// notFound is Express's own 404 for a route nobody registered.
func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot %s %s</pre>\n</body>\n</html>\n",
		html.EscapeString(r.Method), html.EscapeString(r.URL.Path))
}

// refused answers for a full window or an injected failure.
func (s *Sim) refused(w http.ResponseWriter, path string) bool {
	if wait, ok := s.admit(); !ok {
		w.Header().Set("Retry-After", simkit.RetryAfter(wait))
		writeEnvelope(w, http.StatusTooManyRequests, MsgTooMany)
		return true
	}
	if f, ok := s.faults.Take(path); ok {
		if f.Message == "" {
			f.Message = documentedMessage(f.Status, path)
		}
		writeEnvelope(w, f.Status, f.Message)
		return true
	}
	return false
}

// authenticate walks the four 400s and the 401 of the error table in order.
func (s *Sim) authenticate(values []string) (int, string) {
	if len(values) == 0 || values[0] == "" {
		return http.StatusBadRequest, MsgMissingAuth
	}
	h := values[0]
	if !strings.HasPrefix(h, "Bearer ") {
		return http.StatusBadRequest, MsgAuthFormat
	}
	token := strings.TrimPrefix(h, "Bearer ")
	switch {
	case len(token) < MinTokenLength:
		return http.StatusBadRequest, MsgInvalidToken
	case s.injection.MatchString(token):
		return http.StatusBadRequest, MsgTokenFormat
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if token != s.token || !s.keyActive {
		return http.StatusUnauthorized, MsgInvalidKey
	}
	return 0, ""
}

func (s *Sim) list(w http.ResponseWriter) {
	s.mu.Lock()
	own := s.ownServers()
	s.mu.Unlock()
	data := make([]map[string]any, 0, len(own))
	for _, srv := range own {
		data = append(data, map[string]any{
			"id": srv.ID, "name": srv.Name, "memory": srv.MemoryMB, "disk": srv.DiskMB, "cpu": srv.CPU,
			"backups": srv.Backups, "allocations": 1, "creation_timestamp": "2026-01-15T10:30:00.000Z",
			"uuid": srv.UUID, "identifier": srv.Identifier, "main_allocation_port": srv.Port,
			"node_id": srv.NodeID, "created_by": 42,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Success", "data": data})
}

// power validates the body as zampto does, then changes the server's state.
func (s *Sim) power(w http.ResponseWriter, r *http.Request, body []byte) {
	id, status, msg := parseServer(r.Header.Get("Content-Type"), body)
	if status != 0 {
		writeEnvelope(w, status, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	srv := s.servers[id]
	switch {
	case srv == nil || srv.OtherAccount:
		writeEnvelope(w, http.StatusForbidden, MsgNotFound)
		return
	case srv.UUID == "":
		writeEnvelope(w, http.StatusUnprocessableEntity, MsgNotSynced)
		return
	}
	switch r.URL.Path {
	case "/start", "/restart":
		srv.State = StateRunning
	default:
		srv.State = StateOffline
	}
	writeEnvelope(w, http.StatusOK, "Success")
}

// parseServer reads {"server": N}. Only an application/json body is parsed
// (express.json); anything else arrives empty, so lacks the parameter.
func parseServer(contentType string, body []byte) (int64, int, string) {
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" || len(bytes.TrimSpace(body)) == 0 {
		return 0, http.StatusBadRequest, MsgServerRequired
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if !json.Valid(body) || dec.Decode(&v) != nil {
		return 0, http.StatusBadRequest, MsgInvalidJSON
	}
	obj, isObj := v.(map[string]any)
	if _, isArr := v.([]any); !isObj && !isArr {
		// express.json is strict: only objects and arrays are JSON bodies.
		return 0, http.StatusBadRequest, MsgInvalidJSON
	}
	raw, present := obj["server"]
	if !present || raw == nil {
		return 0, http.StatusBadRequest, MsgServerRequired
	}
	num, isNum := raw.(json.Number)
	id, err := strconv.ParseInt(string(num), 10, 64)
	if !isNum || err != nil {
		return 0, http.StatusBadRequest, MsgInvalidServer
	}
	return id, 0, ""
}

func isPowerPath(p string) bool {
	switch p {
	case "/start", "/stop", "/restart", "/kill":
		return true
	}
	return false
}

// admit counts the request against the sliding window; when the window is
// full it says how long until the oldest request leaves it.
func (s *Sim) admit() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.window.Admit(s.clock.Now(), s.limitN, s.limitW)
}

// documentedMessage is the table's message for a status.
func documentedMessage(status int, path string) string {
	switch status {
	case http.StatusBadRequest:
		return MsgInvalidJSON
	case http.StatusUnauthorized:
		return MsgInvalidKey
	case http.StatusForbidden:
		return MsgNotFound
	case http.StatusUnprocessableEntity:
		return MsgNotSynced
	case http.StatusTooManyRequests:
		return MsgTooMany
	case http.StatusInternalServerError:
		if isPowerPath(path) {
			return MsgPowerFailed
		}
	}
	return MsgInternal
}

func writeEnvelope(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"success": status < 300, "message": message})
}

// writeJSON answers as Express's res.json does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	simkit.WriteJSON(w, "application/json; charset=utf-8", status, v)
}
