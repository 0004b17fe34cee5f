package wings

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/panel"
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
)

// ctrlKind is a node event the session's control loop must act on.
type ctrlKind int

const (
	ctrlAuthOK ctrlKind = iota + 1
	ctrlExpiring
	ctrlExpired
	ctrlJWT
	ctrlThrottled
)

type ctrlMsg struct {
	kind    ctrlKind
	text    string
	backlog bool // for ctrlAuthOK: a replay is being held for
	resync  bool // for ctrlAuthOK: events were lost, so ask for the state again
}

type outFrame struct {
	event string
	data  []byte
}

// conn is one websocket connection with its reader and writer goroutines.
// The reader never blocks: lines go to the line sink and the queue, control
// events to a buffered channel, floods of jwt errors are coalesced.
type conn struct {
	r    *run
	ws   *websocket.Conn
	url  string
	lim  *limits
	log  *slog.Logger
	out  chan outFrame
	ctrl chan ctrlMsg

	wantBacklog atomic.Bool // hold lines for a replay at the next auth success
	lost        atomic.Bool // the node replaced events with jwt errors since the last auth success
	resync      atomic.Bool // take the power state from the next stats: a status may have been lost
	jwtPending  atomic.Bool
	throttled   atomic.Bool
	pauseUntil  atomic.Int64 // unix nanos on the clock: the node throttled us
	queued      atomic.Int64 // frames accepted by send, for tests
	written     atomic.Int64 // frames written, for tests
	writeFailed atomic.Bool

	dead    chan struct{} // closed when the reader stops
	err     error         // why it stopped; read after dead is closed
	ctx     context.Context
	cancel  context.CancelFunc // ends the writer's waits; called by close
	closing sync.Once
	wg      sync.WaitGroup
}

func (r *run) newConn(ws *websocket.Conn, url string) *conn {
	c := &conn{
		r: r, ws: ws, url: url, lim: newLimits(), log: r.s.log,
		out: make(chan outFrame, 32), ctrl: make(chan ctrlMsg, 64),
		dead: make(chan struct{}),
	}
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
	c.wg.Wait()
}

// send queues a frame for the writer without waiting on the network.
func (c *conn) send(ctx context.Context, event string, args ...string) error {
	f := outFrame{event: event, data: encodeFrame(event, args...)}
	// Counted before the writer can see it, so that queued never trails
	// written; given back below when the frame is not queued.
	c.queued.Add(1)
	select {
	case c.out <- f:
		return nil
	default:
	}
	c.queued.Add(-1)
	select {
	case <-c.ctx.Done():
	case <-c.dead:
	case <-ctx.Done():
		return ctx.Err()
	default:
		return &panel.Error{Kind: panel.ErrUnavailable, Op: event, Message: "The console connection is busy. Try again in a moment."}
	}
	return &panel.Error{Kind: panel.ErrUnavailable, Op: event, Message: "The live console is not connected right now. Try again in a moment."}
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
			if err := c.write(c.ctx, f); err != nil {
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
// suspended) may still be waiting to be read. The reader gets a second to
// read what is pending, then stops.
func (c *conn) failWrites() {
	if c.ctx.Err() != nil {
		return // closing anyway
	}
	c.writeFailed.Store(true)
	_ = c.ws.SetReadDeadline(time.Now().Add(time.Second))
}

// write waits out a throttle pause and the limits, then writes the frame.
func (c *conn) write(ctx context.Context, f outFrame) error {
	clock := c.r.s.clock
	if until := time.Unix(0, c.pauseUntil.Load()); until.After(clock.Now()) {
		if err := sleep(ctx, clock, until.Sub(clock.Now())); err != nil {
			return err
		}
	}
	if err := waitLimit(ctx, clock, c.lim.global, c.lim.forEvent(f.event)); err != nil {
		return err
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	c.written.Add(1) // before: the node may handle the frame before the write returns
	return c.ws.WriteMessage(websocket.TextMessage, f.data)
}

func (c *conn) readLoop() {
	defer c.wg.Done()
	defer close(c.dead)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		if c.writeFailed.Load() {
			c.err = errWriteFailed
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		f, err := decodeFrame(data)
		if err != nil {
			c.log.Debug("ignoring a frame that is not a valid event", "bytes", len(data), "error", err)
			continue
		}
		c.dispatch(f)
	}
}

// toCtrl hands an event to the control loop without ever blocking.
func (c *conn) toCtrl(m ctrlMsg) {
	select {
	case c.ctrl <- m:
	default:
		c.log.Warn("dropping a node event: the control loop is behind", "kind", int(m.kind))
	}
}

// coalesce forwards a floodable event only if the previous one was handled.
func (c *conn) coalesce(flag *atomic.Bool, m ctrlMsg) {
	if flag.CompareAndSwap(false, true) {
		c.toCtrl(m)
	}
}

var (
	errAuthTimeout = errors.New("the node did not confirm authentication in time")
	errWriteFailed = errors.New("writing to the node failed")
)
