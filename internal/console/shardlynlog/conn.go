package shardlynlog

import (
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/console/wsconn"
)

// The log socket, as wsconn runs it.
const (
	// pongWait: a connection silent this long (no frame, no pong) is dead.
	pongWait = 60 * time.Second
	// pingPeriod keeps an idle console's connection provably alive.
	pingPeriod = pongWait * 9 / 10
	writeWait  = 5 * time.Second
	// maxFrame bounds one frame read into memory.
	maxFrame = 1 << 20
	// inboxSize is how far the reader may run ahead of the owner: a replay's
	// burst; it drops nothing.
	inboxSize = 512
)

// newConn starts the log socket's reader (frames into lines) and writer
// (the log socket takes no input, so it only pings).
func newConn(ws *websocket.Conn) *wsconn.Conn[string] {
	return wsconn.Start(ws, wsconn.Config[string]{
		ReadLimit: maxFrame, PongWait: pongWait, PingPeriod: pingPeriod, WriteWait: writeWait,
		Inbox: inboxSize, Decode: frameLines,
	})
}
