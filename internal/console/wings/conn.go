package wings

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
)

const (
	// readLimit caps one inbound frame: lines are truncated at 64 KiB by the
	// node, and JSON escaping can multiply that.
	readLimit = 1 << 20
	writeWait = 10 * time.Second
	// pingPeriod: the node sends no pings, but answers ours, which lets a
	// half-open TCP connection be noticed within pongWait.
	pingPeriod = 30 * time.Second
	pongWait   = 75 * time.Second
	// inboxSize is the frames the reader may be ahead of the owner. The
	// owner never waits on the network, so this only absorbs bursts (a
	// 150-line replay).
	inboxSize = 512
	outSize   = 32
)

var (
	errWriteFailed = errors.New("writing to the node failed")
	errBusy        = errors.New("the console connection is busy")
)

// conn is one websocket with its reader and writer goroutines. The reader
// only decodes and hands frames to the owner; the writer only paces and
// writes what the owner queued. All state lives with the owner (session).
type conn struct {
	ws  *websocket.Conn
	url string
	lim *limits
	clk clock.Clock

	in    chan frame // decoded frames, closed when the reader stops
	out   chan outFrame
	err   error // why the reader stopped; read after in is closed
	pause atomic.Int64

	ctx     context.Context // ended by close: stops the writer's waits
	cancel  context.CancelFunc
	closing sync.Once
	wg      sync.WaitGroup
}

type outFrame struct {
	event string
	data  []byte
}

func newConn(ws *websocket.Conn, url string, clk clock.Clock) *conn {
	c := &conn{ws: ws, url: url, lim: newLimits(), clk: clk,
		in: make(chan frame, inboxSize), out: make(chan outFrame, outSize)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	ws.SetReadLimit(readLimit)
	_ = ws.SetReadDeadline(time.Now().Add(pongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(pongWait)) })
	c.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
	return c
}

// close ends the connection and joins both goroutines. normal sends a close
// frame first (the relay is stopping, not failing).
func (c *conn) close(normal bool) {
	c.closing.Do(func() {
		if normal {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		}
		c.cancel()
		_ = c.ws.Close()
	})
	for range c.in { // unblock a reader waiting on a full inbox
	}
	c.wg.Wait()
}

// send queues a frame for the writer; it never waits on the network.
func (c *conn) send(event string, args ...string) error {
	select {
	case c.out <- outFrame{event: event, data: encodeFrame(event, args...)}:
		return nil
	default:
		return errBusy
	}
}

// pauseFor holds the writer back after the node throttled us.
func (c *conn) pauseFor(d time.Duration) { c.pause.Store(c.clk.Now().Add(d).UnixNano()) }

func (c *conn) readLoop() {
	defer c.wg.Done()
	defer close(c.in)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		f, err := decodeFrame(data)
		if err != nil {
			continue // the node drops bad frames silently; so do we
		}
		select {
		case c.in <- f:
		case <-c.ctx.Done():
			return
		}
	}
}

func (c *conn) writeLoop() {
	defer c.wg.Done()
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case f := <-c.out:
			if err := c.write(f); err != nil {
				c.failWrites()
				return
			}
		case <-ping.C:
			if c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
				c.failWrites()
				return
			}
		}
	}
}

// failWrites ends the connection after a write error without closing the
// socket under the reader: the node's close frame (4409 says the server is
// suspended) may still be waiting to be read. The reader gets a second.
func (c *conn) failWrites() {
	_ = c.ws.SetReadDeadline(time.Now().Add(time.Second))
}

// write waits out a throttle pause and the limits, then writes the frame.
func (c *conn) write(f outFrame) error {
	if until := time.Unix(0, c.pause.Load()); until.After(c.clk.Now()) {
		if err := backoff.Sleep(c.ctx, c.clk, until.Sub(c.clk.Now())); err != nil {
			return err
		}
	}
	if err := waitLimit(c.ctx, c.clk, c.lim.global, c.lim.forEvent(f.event)); err != nil {
		return err
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	return c.ws.WriteMessage(websocket.TextMessage, f.data)
}
