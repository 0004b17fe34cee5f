// Package wsconn is a console source's websocket, as gorilla's chat example
// has it: one reader goroutine that only decodes frames and hands them on,
// one writer goroutine that writes what its owner queued and pings, and a
// close that joins both. All the connection's state lives with its owner;
// a Conn only moves frames.
package wsconn

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// ErrBusy is Send's answer when the writer's queue is full.
var ErrBusy = errors.New("the console connection is busy")

// Config says how a Conn reads and writes.
type Config[T any] struct {
	// ReadLimit caps one inbound frame.
	ReadLimit int64
	// PongWait is how long the connection may be silent (no frame, no
	// pong) before it counts as dead; PingPeriod, shorter, keeps an idle
	// one provably alive. WriteWait bounds one write.
	PongWait, PingPeriod, WriteWait time.Duration
	// Inbox is how far the reader may run ahead of the owner. The owner
	// never waits on the network, so this only absorbs bursts (a replay).
	Inbox int
	// Decode turns one frame into what the owner reads (none: the frame
	// is dropped, as the nodes drop what they cannot read).
	Decode func(messageType int, data []byte) []T
	// Before, if set, is waited for before each queued frame is written:
	// the owner's pacing (rate limits, a throttle pause).
	Before func(ctx context.Context, event string) error
}

// Conn is one websocket with its reader and writer goroutines.
type Conn[T any] struct {
	ws  *websocket.Conn
	cfg Config[T]
	in  chan T
	out chan outFrame
	err error // why the reader stopped; read after in is closed

	ctx     context.Context // ended by Close: stops the writer's waits
	cancel  context.CancelFunc
	closing sync.Once
	wg      sync.WaitGroup
}

type outFrame struct {
	event string
	data  []byte
}

// outSize is how many frames may wait for the writer.
const outSize = 32

// Start runs the reader and the writer of ws.
func Start[T any](ws *websocket.Conn, cfg Config[T]) *Conn[T] {
	c := &Conn[T]{ws: ws, cfg: cfg, in: make(chan T, cfg.Inbox), out: make(chan outFrame, outSize)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	ws.SetReadLimit(cfg.ReadLimit)
	_ = ws.SetReadDeadline(time.Now().Add(cfg.PongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(cfg.PongWait)) })
	c.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
	return c
}

// In delivers what the reader decoded; it is closed when the reader stops,
// after which Err says why.
func (c *Conn[T]) In() <-chan T { return c.in }

// Err is why the reader stopped; read it after In is closed.
func (c *Conn[T]) Err() error { return c.err }

// Send queues a text frame for the writer (event names it for Before); it
// never waits on the network.
func (c *Conn[T]) Send(event string, data []byte) error {
	select {
	case c.out <- outFrame{event: event, data: data}:
		return nil
	default:
		return ErrBusy
	}
}

// Close ends the connection and joins both goroutines. normal says goodbye
// with a close frame first (the relay is stopping, not failing).
func (c *Conn[T]) Close(normal bool) {
	c.closing.Do(func() {
		if normal {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.cfg.WriteWait))
		}
		c.cancel()
		_ = c.ws.Close()
	})
	for range c.in { // unblock a reader waiting on a full inbox
	}
	c.wg.Wait()
}

func (c *Conn[T]) readLoop() {
	defer c.wg.Done()
	defer close(c.in)
	for {
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(c.cfg.PongWait))
		for _, v := range c.cfg.Decode(mt, data) {
			select {
			case c.in <- v:
			case <-c.ctx.Done():
				return
			}
		}
	}
}

func (c *Conn[T]) writeLoop() {
	defer c.wg.Done()
	ping := time.NewTicker(c.cfg.PingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case f := <-c.out:
			if c.write(f) != nil {
				c.failWrites()
				return
			}
		case <-ping.C:
			if c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.cfg.WriteWait)) != nil {
				c.failWrites()
				return
			}
		}
	}
}

// write waits for the owner's pacing, then writes the frame.
func (c *Conn[T]) write(f outFrame) error {
	if c.cfg.Before != nil {
		if err := c.cfg.Before(c.ctx, f.event); err != nil {
			return err
		}
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteWait))
	return c.ws.WriteMessage(websocket.TextMessage, f.data)
}

// failWrites ends the connection after a write error without closing the
// socket under the reader: a close frame from the other side (Wings' 4409
// says the server is suspended) may still be waiting to be read. The
// reader gets a second.
func (c *Conn[T]) failWrites() {
	if c.ctx.Err() == nil {
		_ = c.ws.SetReadDeadline(time.Now().Add(time.Second))
	}
}
