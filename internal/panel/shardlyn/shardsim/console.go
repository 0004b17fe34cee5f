package shardsim

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// maxCommandBytes bounds one console command frame. The document sets no
// limit; a console line longer than this is no command a person types.
const maxCommandBytes = 4096

// history is GET /v1/instances/{id}/logs/history. The document names the
// endpoint (JWT) and not its body; the simulator answers the plainest
// shape, {"lines": [...]}, every kept line oldest first: the same log the
// live-log socket sends, so a line is in it from the moment it is sent.
func (s *Sim) history(w http.ResponseWriter, r *http.Request, _ caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.lookupLocked(w, r)
	if in == nil {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"lines": append([]string{}, in.history...)})
}

// console is GET /v1/instances/{id}/console, the interactive console
// websocket. The handshake authenticates like every JWT endpoint. The
// document gives no input format; the strict reading: each text frame is
// one command, as typed. A frame that cannot be one (binary, empty, several
// lines, too long) is answered with the documented envelope {"error": ...}
// in a text frame, then the socket is closed. An instance that is not
// running refuses the handshake with 409, since it has no console to type
// into. Commands are recorded for Commands.
func (s *Sim) console(w http.ResponseWriter, r *http.Request, _ caller) {
	if !websocket.IsWebSocketUpgrade(r) {
		writeError(w, http.StatusBadRequest, "websocket upgrade required")
		return
	}
	if !s.consoleReady(w, r) {
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer conn.Close()
	for {
		mt, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if msg := checkCommand(mt, data); msg != "" {
			_ = conn.WriteJSON(map[string]string{"error": msg})
			_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, msg))
			return
		}
		s.record(r.PathValue("id"), string(data))
	}
}

func (s *Sim) consoleReady(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.lookupLocked(w, r)
	switch {
	case in == nil:
		return false
	case in.ReadOnly:
		writeError(w, http.StatusForbidden, "insufficient permissions")
		return false
	case in.Status != "running":
		writeError(w, http.StatusConflict, "instance is not running")
		return false
	}
	return true
}

// checkCommand returns why a frame is not one command, or "".
func checkCommand(mt int, data []byte) string {
	switch {
	case mt != websocket.TextMessage:
		return "commands must be text frames"
	case len(data) == 0 || strings.TrimSpace(string(data)) == "":
		return "empty command"
	case len(data) > maxCommandBytes:
		return "command too long"
	case !utf8.Valid(data) || strings.ContainsAny(string(data), "\r\n"):
		return "one command per frame, on one line"
	}
	return ""
}

func (s *Sim) record(id, command string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.instances[id]; in != nil {
		in.commands = append(in.commands, command)
	}
}

// Commands returns the commands an instance's console received, in order,
// one per frame.
func (s *Sim) Commands(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.instances[id]; in != nil {
		return append([]string(nil), in.commands...)
	}
	return nil
}
