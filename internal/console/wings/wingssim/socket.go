package wingssim

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// readLimit is Wings' inbound frame limit; bigger frames end the
	// connection with 1009.
	readLimit = 4096
	// consoleBuffer is the number of console lines a socket may have pending
	// before a stalled client starts losing the oldest.
	consoleBuffer = 8
	// hardQueueCap bounds a socket's queue whatever happens.
	hardQueueCap = 1 << 16
	writeWait    = 10 * time.Second
)

// message is the frame format in both directions.
type message struct {
	Event string   `json:"event"`
	Args  []string `json:"args,omitempty"`
}

type outItem struct {
	data    []byte
	console bool
}

// socket is one client connection. Fields other than the queue are guarded by
// Node.mu; the queue has its own lock so the writer never needs Node.mu.
type socket struct {
	srv         *server
	ws          *websocket.Conn
	token       *claims
	connectedAt time.Time
	nextTick    time.Time // zero until the first successful auth
	lim         *limiter
	received    int // frames read on this socket, before limits and decoding

	qmu      sync.Mutex
	queue    []outItem
	consoleN int
	progress time.Time // real time of the writer's last progress
	wake     chan struct{}
	done     chan struct{}
}

func (n *Node) serveWS(w http.ResponseWriter, r *http.Request) {
	uuid := r.PathValue("uuid")
	n.mu.Lock()
	s, ok := n.servers[uuid]
	// Sockets still upgrading count too: a client's dial returns before the
	// handler registers its socket, so two quick dials must not both fit
	// the last slot.
	full := ok && len(s.sockets)+s.opening >= n.cfg.maxSockets
	if ok && !full {
		s.opening++
	}
	n.mu.Unlock()
	switch {
	case !ok:
		writeJSONError(w, http.StatusNotFound, "The requested resource does not exist on this instance.")
		return
	case full:
		writeJSONError(w, http.StatusBadRequest, "Too many open websocket connections.")
		return
	}
	up := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == n.cfg.origin }}
	ws, err := up.Upgrade(w, r, nil) // answers 403 itself on a bad Origin
	if err != nil {
		n.mu.Lock()
		s.opening--
		n.mu.Unlock()
		return
	}
	n.handle(s, ws)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// handle runs one upgraded connection to its end.
func (n *Node) handle(s *server, ws *websocket.Conn) {
	sock := &socket{srv: s, ws: ws, lim: newLimiter(), wake: make(chan struct{}, 1), done: make(chan struct{})}
	ok, suspended := n.register(sock)
	if !ok {
		if suspended {
			refuse(ws)
			n.wg.Done()
		}
		_ = ws.Close()
		return
	}
	defer n.wg.Done()
	ws.SetReadLimit(readLimit)
	writerDone := make(chan struct{})
	go func() { defer close(writerDone); sock.writeLoop() }()
	sock.readLoop(n)
	close(sock.done)
	_ = ws.Close()
	<-writerDone
	n.mu.Lock()
	delete(s.sockets, sock)
	n.signal()
	n.mu.Unlock()
}

// refuse closes a socket with 4409 and completes the close handshake, so
// that the client reads the code instead of a reset.
func refuse(ws *websocket.Conn) {
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4409, "server is suspended"), time.Now().Add(writeWait))
	_ = ws.SetReadDeadline(time.Now().Add(time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			break
		}
	}
}

// register adds the socket unless the node is closing or the server is
// suspended. Unless closing, the caller is counted in wg either way.
func (n *Node) register(sock *socket) (ok, suspended bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	sock.srv.opening-- // the slot serveWS reserved becomes the socket, or is freed
	if n.closing {
		return false, false
	}
	n.wg.Add(1)
	if sock.srv.suspended {
		return false, true
	}
	sock.connectedAt = n.now
	sock.srv.sockets[sock] = struct{}{}
	n.signal()
	return true, false
}

func (sock *socket) readLoop(n *Node) {
	for {
		_, data, err := sock.ws.ReadMessage()
		if err != nil {
			return
		}
		n.mu.Lock()
		sock.inbound(n, data)
		n.signal()
		n.mu.Unlock()
	}
}

// inbound applies the limits, in Wings' order, then handles the frame.
func (sock *socket) inbound(n *Node, data []byte) {
	sock.srv.received++
	sock.received++
	if ok, notify := sock.lim.allowGlobal(n.now); !ok {
		if notify {
			sock.throttle(n, globalKey)
		}
		return
	}
	var m message
	if json.Unmarshal(data, &m) != nil {
		return // bad JSON is dropped silently
	}
	if ok, notify := sock.lim.allowEvent(m.Event, n.now); !ok {
		if notify {
			sock.throttle(n, m.Event)
		}
		return
	}
	sock.srv.inbound = append(sock.srv.inbound, m.Event)
	sock.dispatch(n, m)
}

func (sock *socket) throttle(n *Node, what string) {
	n.throttled++
	sock.sendRaw(n, "throttled", what)
}

func (sock *socket) dispatch(n *Node, m message) {
	if m.Event == "auth" {
		sock.auth(n, m.Args)
		return
	}
	if err := sock.tokenValid(n); err != nil {
		sock.sendRaw(n, "jwt error", err.Error())
		return
	}
	srv := sock.srv
	switch m.Event {
	case "send logs":
		if srv.containerRunning() {
			for _, l := range srv.log[max(0, len(srv.log)-n.cfg.backlog):] {
				sock.sendChecked(n, "console output", false, l)
			}
		}
	case "send stats":
		sock.sendChecked(n, "stats", false, srv.statsJSON(n.now))
	case "send command":
		if sock.token.can("control.console") && srv.containerRunning() && len(m.Args) > 0 {
			srv.commands = append(srv.commands, joinArgs(m.Args))
		}
	case "set state":
		sock.power(n, joinArgs(m.Args))
	}
}

func joinArgs(args []string) string {
	out := ""
	for _, a := range args {
		out += a
	}
	return out
}

// auth implements the `auth` event: the first success registers the
// listeners and the expiry ticker and sends the state; later ones only
// replace the token.
func (sock *socket) auth(n *Node, args []string) {
	c, err := parseJWT(n.secret, joinArgs(args))
	if err == nil {
		err = sock.admissible(n, c)
	}
	if err != nil {
		if isJWTError(err) {
			sock.sendRaw(n, "jwt error", err.Error())
		} else {
			sock.sendRaw(n, "daemon error", "Error Event ["+randomHex(8)+"]: an unexpected error was encountered while handling this request")
		}
		return
	}
	first := sock.token == nil
	sock.token = c
	sock.srv.auths++
	sock.sendRaw(n, "auth success")
	if !first {
		return
	}
	sock.nextTick = n.now.Add(tickEvery)
	sock.sendChecked(n, "status", false, sock.srv.state)
	if sock.srv.state == "offline" {
		sock.sendChecked(n, "stats", false, sock.srv.statsJSON(n.now))
	}
}

// admissible is Wings' NewTokenPayload: expiry, denylist, connect permission
// (and Pelican's scope).
func (sock *socket) admissible(n *Node, c *claims) error {
	switch {
	case c.expired(n.now):
		return errExpired
	case c.IssuedAt < n.boot.Unix():
		return errDenylisted
	case !c.can("websocket.connect"):
		return errNoConnect
	case n.cfg.pelican && c.Scope != "websocket":
		return errScope
	}
	return nil
}

// tokenValid is Wings' TokenValid, checked before every outgoing event.
func (sock *socket) tokenValid(n *Node) error {
	if sock.token == nil {
		return errNoJWT
	}
	if err := sock.admissible(n, sock.token); err != nil {
		return err
	}
	if sock.token.ServerUUID != sock.srv.uuid {
		return errUUIDMismatch
	}
	return nil
}

// power models `set state` coarsely: the permissions are checked, the state
// walks through its intermediate values at once.
func (sock *socket) power(n *Node, action string) {
	need := map[string]string{"start": "control.start", "stop": "control.stop", "restart": "control.restart", "kill": "control.stop"}
	perm, ok := need[action]
	if !ok || !sock.token.can(perm) {
		return
	}
	steps := map[string][]string{
		"start": {"starting", "running"}, "stop": {"stopping", "offline"},
		"restart": {"stopping", "offline", "starting", "running"}, "kill": {"offline"},
	}
	for _, st := range steps[action] {
		sock.srv.setState(n, st)
	}
}
