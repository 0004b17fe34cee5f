package wings

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/console/wsconn"
)

// The node's socket, as wsconn runs it.
const (
	// readLimit caps one inbound frame: lines are truncated at 64 KiB by the
	// node, and JSON escaping can multiply that.
	readLimit = 1 << 20
	writeWait = 10 * time.Second
	// pingPeriod: the node sends no pings, but answers ours, which lets a
	// half-open TCP connection be noticed within pongWait.
	pingPeriod = 30 * time.Second
	pongWait   = 75 * time.Second
	// inboxSize is the frames the reader may be ahead of the owner: a
	// 150-line replay and then some.
	inboxSize = 512
)

// conn is one node socket: wsconn's reader and writer, with the node's
// inbound limits and throttle pause applied before each write.
type conn struct {
	*wsconn.Conn[frame]
	url   string
	lim   *limits
	clk   clock.Clock
	pause atomic.Int64 // unix nanos on clk: the node throttled us
}

func newConn(ws *websocket.Conn, url string, clk clock.Clock) *conn {
	c := &conn{url: url, lim: newLimits(), clk: clk}
	c.Conn = wsconn.Start(ws, wsconn.Config[frame]{
		ReadLimit: readLimit, PongWait: pongWait, PingPeriod: pingPeriod, WriteWait: writeWait,
		Inbox: inboxSize, Decode: decodeFrames, Before: c.pace,
	})
	return c
}

// send queues an event for the writer; it never waits on the network.
func (c *conn) send(event string, args ...string) error {
	return c.Send(event, encodeFrame(event, args...))
}

// pauseFor holds the writer back after the node throttled us.
func (c *conn) pauseFor(d time.Duration) { c.pause.Store(c.clk.Now().Add(d).UnixNano()) }

// pace waits out a throttle pause and the node's limits before a write.
func (c *conn) pace(ctx context.Context, event string) error {
	if until := time.Unix(0, c.pause.Load()); until.After(c.clk.Now()) {
		if err := backoff.Sleep(ctx, c.clk, until.Sub(c.clk.Now())); err != nil {
			return err
		}
	}
	return waitLimit(ctx, c.clk, c.lim.global, c.lim.forEvent(event))
}

// decodeFrames reads one node frame; the node drops bad frames silently, and
// so do we.
func decodeFrames(_ int, data []byte) []frame {
	f, err := decodeFrame(data)
	if err != nil {
		return nil
	}
	return []frame{f}
}
