package shardsim

import (
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

const (
	websocketGoingAway = websocket.CloseGoingAway
	// CloseTokenExpired is the close code the simulator sends when the
	// access token a log socket was opened with expires: the document
	// says access tokens expire after 15 minutes and not what an open
	// socket does then, so the strict reading closes it (1008, policy
	// violation, reason "token expired").
	CloseTokenExpired = websocket.ClosePolicyViolation
	writeWait         = 2 * time.Second
)

// socket is one open log websocket.
type socket struct {
	conn    *websocket.Conn
	expires time.Time // of the token it was opened with; zero for API tokens
}

func (k *socket) writeLocked(line string) error {
	_ = k.conn.SetWriteDeadline(time.Now().Add(writeWait))
	return k.conn.WriteMessage(websocket.TextMessage, []byte(line))
}

func (k *socket) closeLocked(code int, reason string) {
	_ = k.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeWait))
	_ = k.conn.Close()
}

// logs is GET /v1/instances/{id}/logs, the live-log websocket. The
// handshake authenticates like every JWT endpoint (Authorization: Bearer);
// a refused handshake answers the documented envelope before any upgrade.
// On connect the socket sends the instance's recent lines (WithReplay),
// then each new line, one console line per text frame. It takes no input.
func (s *Sim) logs(w http.ResponseWriter, r *http.Request, who caller) {
	id := r.PathValue("id")
	if !websocket.IsWebSocketUpgrade(r) {
		writeError(w, http.StatusBadRequest, "websocket upgrade required")
		return
	}
	sock := &socket{expires: who.expires}
	if !s.reserve(w, r, id, sock) {
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.unregister(id, sock)
		return // the upgrader has answered
	}
	if !s.register(id, sock, conn) {
		return
	}
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			break
		}
	}
	s.unregister(id, sock)
	_ = conn.Close()
}

// reserve takes one of the instance's socket slots before the upgrade, so
// the connection limit holds however fast clients dial.
func (s *Sim) reserve(w http.ResponseWriter, r *http.Request, id string, sock *socket) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookupLocked(w, r) == nil {
		return false
	}
	if len(s.sockets[id]) >= s.cfg.maxSockets {
		writeError(w, http.StatusTooManyRequests, "too many log connections for this instance")
		return false
	}
	if s.sockets[id] == nil {
		s.sockets[id] = map[*socket]struct{}{}
	}
	s.sockets[id][sock] = struct{}{}
	return true
}

func (s *Sim) unregister(id string, sock *socket) {
	s.mu.Lock()
	delete(s.sockets[id], sock)
	s.mu.Unlock()
}

// register attaches the connection and replays recent history to it,
// under the lock so that no line emitted meanwhile is missed or sent twice.
func (s *Sim) register(id string, sock *socket, conn *websocket.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sock.conn = conn
	in := s.instances[id]
	if _, ok := s.sockets[id][sock]; !ok || in == nil {
		sock.closeLocked(websocketGoingAway, "instance deleted")
		return false
	}
	for _, line := range in.history[max(0, len(in.history)-s.cfg.replay):] {
		if sock.writeLocked(line) != nil {
			break
		}
	}
	return true
}

// Emit prints lines on an instance's console: each is kept in its history
// and sent to every open log socket. A socket whose token has expired is
// closed with CloseTokenExpired instead.
func (s *Sim) Emit(id string, lines ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.instances[id]
	if in == nil {
		s.t.Errorf("shardsim: Emit on unknown instance %q", id)
		return
	}
	for _, line := range lines {
		in.history = append(in.history, line)
		if len(in.history) > historyCap {
			in.history = append([]string(nil), in.history[len(in.history)-historyCap:]...)
		}
		s.sendLocked(id, line)
	}
}

func (s *Sim) sendLocked(id, line string) {
	now := s.now()
	for sock := range s.sockets[id] {
		if sock.conn == nil {
			continue // still upgrading: register replays this line from history
		}
		if !sock.expires.IsZero() && !now.Before(sock.expires) {
			sock.closeLocked(CloseTokenExpired, "token expired")
			delete(s.sockets[id], sock)
			continue
		}
		if sock.writeLocked(line) != nil {
			_ = sock.conn.Close()
			delete(s.sockets[id], sock)
		}
	}
}

// Drop cuts every log socket of an instance without a close frame, as a
// network failure would.
func (s *Sim) Drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sock := range s.sockets[id] {
		if sock.conn != nil {
			_ = sock.conn.UnderlyingConn().Close()
			delete(s.sockets[id], sock)
		}
	}
}

// Sockets returns how many log sockets of an instance are open and
// receiving live lines (a socket still in its handshake does not count).
func (s *Sim) Sockets(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for sock := range s.sockets[id] {
		if sock.conn != nil {
			n++
		}
	}
	return n
}

func (s *Sim) closeSockets() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, socks := range s.sockets {
		for sock := range socks {
			if sock.conn != nil {
				_ = sock.conn.Close()
			}
		}
		delete(s.sockets, id)
	}
}
