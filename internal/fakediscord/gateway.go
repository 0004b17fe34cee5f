package fakediscord

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	writeWait    = 5 * time.Second
	closeGrace   = time.Second // how long a closing connection waits for the client to hang up
	sendQueue    = 1024        // per-connection outbound frames; a client this far behind is dropped
	backlogMax   = 1000        // dispatches kept for RESUME; must stay below sendQueue
	maxFrameSize = 4096        // Discord's limit for payloads a client sends
)

// gateway is the websocket side of the server, guarded by Server.mu.
type gateway struct {
	conns   map[*gwConn]struct{}
	sess    *gwSession
	pending []event // dispatched before any session existed; sent after READY
	stats   GatewayStats
}

// gwSession is what RESUME continues: the sequence, the intents and the
// dispatches a dropped client may have missed.
type gwSession struct {
	id      string
	intents int64
	seq     int64
	backlog []seqFrame
	conn    *gwConn // nil while no connection carries the session
}

type seqFrame struct {
	seq  int64
	data []byte
}

// frame is one outbound message: JSON text, or a close with code and text.
type frame struct {
	data []byte
	code int
	text string
}

// gwConn is one websocket: the handler goroutine reads, writeLoop writes
// from a bounded queue, so a slow client never blocks the server.
type gwConn struct {
	ws      *websocket.Conn
	out     chan frame
	done    chan struct{}
	once    sync.Once
	sess    *gwSession // guarded by Server.mu
	closing bool       // guarded by Server.mu: a close is queued, ignore input
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client already
	}
	c := &gwConn{ws: ws, out: make(chan frame, sendQueue), done: make(chan struct{})}
	s.mu.Lock()
	s.gw.conns[c] = struct{}{}
	s.gw.stats.Connections++
	if code, text := checkGatewayQuery(r); code != 0 {
		c.closeWith(code, text)
	} else {
		c.enqueue(opFrame(10, map[string]any{"heartbeat_interval": s.cfg.heartbeat.Milliseconds()}))
	}
	s.changedLocked()
	s.mu.Unlock()
	go c.writeLoop()
	s.readLoop(c)
	s.connGone(c)
}

// checkGatewayQuery accepts what Discord accepts: v=9 or 10, JSON encoding.
func checkGatewayQuery(r *http.Request) (int, string) {
	q := r.URL.Query()
	if v := q.Get("v"); v != "9" && v != "10" {
		return 4012, "Invalid API version."
	}
	if e := q.Get("encoding"); e != "" && e != "json" {
		return 4002, "Error while decoding payload."
	}
	if q.Get("compress") != "" {
		return 4002, "Error while decoding payload."
	}
	return 0, ""
}

func (s *Server) readLoop(c *gwConn) {
	c.ws.SetReadLimit(maxFrameSize)
	// Discord drops a client that misses heartbeats; the slack keeps a
	// loaded test machine from tripping it.
	timeout := 2*s.cfg.heartbeat + 5*time.Second
	for {
		_ = c.ws.SetReadDeadline(time.Now().Add(timeout))
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.handleFrameLocked(c, data)
		s.changedLocked()
		s.mu.Unlock()
	}
}

func (s *Server) connGone(c *gwConn) {
	c.kill()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.gw.conns, c)
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	s.changedLocked()
}

func (c *gwConn) writeLoop() {
	for {
		select {
		case <-c.done:
			return
		case f := <-c.out:
			if f.code != 0 {
				c.writeClose(f)
				return
			}
			_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WriteMessage(websocket.TextMessage, f.data); err != nil {
				c.kill()
				return
			}
		}
	}
}

// writeClose sends a close frame and gives the client a moment to read it
// and hang up before the connection is cut.
func (c *gwConn) writeClose(f frame) {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(f.code, f.text), time.Now().Add(writeWait))
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
		c.kill()
	}
}

// enqueue queues a frame; a full queue means the client stopped reading,
// and Discord disconnects such clients, so the fake does too.
func (c *gwConn) enqueue(f frame) {
	if c.closing {
		return
	}
	select {
	case c.out <- f:
	default:
		c.kill()
	}
}

// closeWith queues a close frame with Discord's code and reason.
func (c *gwConn) closeWith(code int, text string) {
	if c.closing {
		return
	}
	c.enqueue(frame{code: code, text: text})
	c.closing = true
}

// kill cuts the TCP connection without a close frame.
func (c *gwConn) kill() {
	c.once.Do(func() {
		close(c.done)
		if c.ws != nil {
			_ = c.ws.NetConn().Close()
		}
	})
}

// opFrame builds a non-dispatch payload in Discord's envelope.
func opFrame(op int, d any) frame {
	b, _ := json.Marshal(map[string]any{"op": op, "d": d, "s": nil, "t": nil})
	return frame{data: b}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
