package shardlynlog

import (
	"context"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// pongWait: a connection silent this long (no frame, no pong) is dead.
	pongWait = 60 * time.Second
	// pingPeriod keeps an idle console's connection provably alive.
	pingPeriod = pongWait * 9 / 10
	writeWait  = 5 * time.Second
	// maxFrame bounds one frame read into memory.
	maxFrame = 1 << 20
	// inboxSize is how far the reader may run ahead of the owner. The owner
	// never waits (the sink does not block), so this only absorbs bursts
	// such as a replay; it drops nothing.
	inboxSize = 512
)

// conn is one open websocket with its reader and writer goroutines. The
// reader only decodes frames into lines and hands them to the owner; the
// writer only pings. All state lives with the owner (session).
type conn struct {
	ws  *websocket.Conn
	in  chan string // decoded lines, closed when the reader stops
	err error       // why the reader stopped; read after in is closed

	ctx     context.Context // ended by close
	cancel  context.CancelFunc
	closing sync.Once
	wg      sync.WaitGroup
}

func newConn(ws *websocket.Conn) *conn {
	c := &conn{ws: ws, in: make(chan string, inboxSize)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	ws.SetReadLimit(maxFrame)
	_ = ws.SetReadDeadline(time.Now().Add(pongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(pongWait)) })
	c.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
	return c
}

// close ends the connection and joins both goroutines. normal says goodbye
// with a close frame first (the relay is stopping, not failing).
func (c *conn) close(normal bool) {
	c.closing.Do(func() {
		if normal {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait))
		}
		c.cancel()
		_ = c.ws.Close()
	})
	for range c.in { // unblock a reader waiting on a full inbox
	}
	c.wg.Wait()
}

func (c *conn) readLoop() {
	defer c.wg.Done()
	defer close(c.in)
	for {
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		for _, line := range frameLines(mt, data) {
			select {
			case c.in <- line:
			case <-c.ctx.Done():
				return
			}
		}
	}
}

// writeLoop is the connection's only writer: the log socket takes no
// input, so it only pings.
func (c *conn) writeLoop() {
	defer c.wg.Done()
	t := time.NewTicker(pingPeriod)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			if c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
				return
			}
		}
	}
}
