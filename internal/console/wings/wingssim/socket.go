package wingssim

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// readLimit is Pelican's inbound frame limit; bigger frames end the
	// connection with 1009. Pterodactyl's Wings has none.
	readLimit = 4096
	// consoleBuffer is the number of console lines a socket's listener may
	// have pending before a stalled client starts losing the oldest.
	consoleBuffer = 8
	writeWait     = 10 * time.Second
	// originRefusal is the body of Wings' 403 for a wrong Origin.
	originRefusal = "An unexpected error was encountered while processing this request"
)

// message is the frame format in both directions.
type message struct {
	Event string   `json:"event"`
	Args  []string `json:"args,omitempty"`
}

// socket is one client connection. Fields marked so are guarded by Node.mu.
type socket struct {
	n    *Node
	srv  *server
	ws   *websocket.Conn
	lim  *limiter // nil unless Pelican
	done chan struct{}
	wg   sync.WaitGroup // listeners and per-frame handlers

	// Guarded by Node.mu.
	token     *claims
	listening bool   // listeners registered: the first auth succeeded
	stopTick  func() // cancels the pending token tick
	authSent  bool   // the first `auth success` went to the client
	closed    bool
	received  int
	handling  int // frames whose handler has not returned
	rec       record

	// wmu is Wings' handler lock: every writer takes it for one frame, so
	// replayed and live lines interleave line by line.
	wmu sync.Mutex

	ready   chan struct{} // closed once the first auth's replies are written
	console chan string   // the console sink: consoleBuffer lines
	evMu    sync.Mutex
	events  []outEvent // other live events; low rate, so unbounded
	evWake  chan struct{}
}

func (n *Node) serveWS(w http.ResponseWriter, r *http.Request) {
	s, status := n.admitSocket(r.PathValue("uuid"))
	switch status {
	case http.StatusNotFound:
		writeJSON(w, status, map[string]string{"error": "The requested resource does not exist on this instance."})
		return
	case http.StatusBadRequest:
		writeJSON(w, status, map[string]string{"error": "Too many open websocket connections."})
		return
	}
	if r.Header.Get("Origin") != n.cfg.origin { // exact equality, as Wings compares
		n.unreserve(s)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": originRefusal, "request_id": randomUUID()})
		return
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }, EnableCompression: n.cfg.pelican}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		n.unreserve(s)
		return
	}
	n.handle(s, ws)
}

// admitSocket finds the server and reserves a socket slot. Sockets still
// upgrading count: a client's dial returns before the handler registers its
// socket, so two quick dials must not both fit the last slot.
func (n *Node) admitSocket(uuid string) (*server, int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s, ok := n.servers[uuid]
	if !ok || s.deleted {
		return nil, http.StatusNotFound
	}
	if n.cfg.maxSockets > 0 && len(s.sockets)+s.opening >= n.cfg.maxSockets {
		return nil, http.StatusBadRequest
	}
	s.opening++
	return s, http.StatusOK
}

func (n *Node) unreserve(s *server) {
	n.mu.Lock()
	s.opening--
	n.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// handle runs one upgraded connection to its end.
func (n *Node) handle(s *server, ws *websocket.Conn) {
	sock := &socket{n: n, srv: s, ws: ws, done: make(chan struct{}), ready: make(chan struct{}),
		console: make(chan string, consoleBuffer), evWake: make(chan struct{}, 1)}
	if n.cfg.pelican {
		sock.lim = newLimiter()
		ws.SetReadLimit(readLimit)
	}
	ok, suspended := n.register(sock)
	if !ok {
		if suspended {
			refuse(ws)
		}
		_ = ws.Close()
		return
	}
	defer n.wg.Done()
	sock.wg.Add(2)
	go sock.consoleLoop()
	go sock.eventLoop()
	sock.readLoop()
	sock.shutdown()
}

// refuse closes a socket with 4409, as Pelican does for a suspended server,
// and waits for the client's close so that it reads the code, not a reset.
func refuse(ws *websocket.Conn) {
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4409, "server is suspended"), time.Now().Add(writeWait))
	_ = ws.SetReadDeadline(time.Now().Add(time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
	}
}

// register adds the socket unless the node is closing or (on Pelican) the
// server is suspended. When ok, the caller is counted in Node.wg.
func (n *Node) register(sock *socket) (ok, suspended bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	sock.srv.opening-- // the slot admitSocket reserved becomes the socket, or is freed
	if n.closing {
		return false, false
	}
	if sock.srv.suspended && n.cfg.pelican {
		return false, true
	}
	n.wg.Add(1)
	sock.rec.open = true
	sock.srv.sockets[sock] = struct{}{}
	sock.srv.history = append(sock.srv.history, sock)
	n.signal()
	return true, false
}

// shutdown ends the socket's goroutines and forgets it.
func (sock *socket) shutdown() {
	n := sock.n
	close(sock.done)
	_ = sock.ws.Close()
	n.mu.Lock()
	sock.closed = true
	if sock.stopTick != nil {
		sock.stopTick()
	}
	n.mu.Unlock()
	sock.wg.Wait()
	n.mu.Lock()
	delete(sock.srv.sockets, sock)
	sock.rec.open = false
	n.signal()
	n.mu.Unlock()
}

// readLoop reads frames in order and handles each on its own goroutine, as
// Wings does: nothing guarantees the client's order is the handling order.
func (sock *socket) readLoop() {
	for {
		_, data, err := sock.ws.ReadMessage()
		if err != nil {
			return
		}
		m, ok, throttled := sock.admit(data)
		if throttled != "" {
			sock.write(frame{event: "throttled", args: []string{throttled}})
		}
		if !ok {
			continue
		}
		sock.wg.Add(1)
		go func() {
			defer sock.wg.Done()
			defer sock.handled()
			sock.handleFrame(m)
		}()
	}
}

// admit counts a frame, applies Pelican's limits in Wings' order (global,
// then the event's own bucket), decodes it and records it. throttled names
// the bucket when this refusal opens a throttling episode.
func (sock *socket) admit(data []byte) (m message, ok bool, throttled string) {
	n := sock.n
	n.mu.Lock()
	defer n.mu.Unlock()
	defer n.signal()
	sock.srv.stats.received++
	sock.received++
	now := n.clk.Now()
	if sock.lim != nil {
		if ok, notify := sock.lim.allowGlobal(now); !ok {
			return m, false, n.throttledLocked(notify, globalKey)
		}
	}
	if json.Unmarshal(data, &m) != nil {
		return m, false, "" // bad JSON is dropped silently
	}
	if sock.lim != nil {
		if ok, notify := sock.lim.allowEvent(m.Event, now); !ok {
			return m, false, n.throttledLocked(notify, m.Event)
		}
	}
	sock.recordInboundLocked(m.Event)
	sock.handling++
	return m, true, ""
}

func (sock *socket) handled() {
	sock.n.mu.Lock()
	defer sock.n.mu.Unlock()
	sock.handling--
	sock.n.signal()
}

func (n *Node) throttledLocked(notify bool, what string) string {
	if !notify {
		return ""
	}
	n.throttled++
	return what
}
