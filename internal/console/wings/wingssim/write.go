package wingssim

import (
	"encoding/json"
	"time"

	"github.com/gorilla/websocket"
)

// sendChecked is Wings' SendJson: with a missing, expired or denylisted
// token the event is replaced by `jwt error`; events the token may not see
// are not sent.
func (sock *socket) sendChecked(n *Node, event string, console bool, args ...string) {
	if err := sock.tokenValid(n); err != nil {
		sock.sendRaw(n, "jwt error", err.Error())
		return
	}
	need := map[string]string{"install output": "admin.websocket.install", "transfer logs": "admin.websocket.transfer", "backup completed": "backup.read"}
	if perm, ok := need[event]; ok && !sock.token.can(perm) {
		return
	}
	sock.enqueue(n, encode(event, args), console)
}

// sendRaw is Wings' unsafeSendJson: no token check.
func (sock *socket) sendRaw(n *Node, event string, args ...string) {
	sock.enqueue(n, encode(event, args), false)
}

func encode(event string, args []string) []byte {
	b, _ := json.Marshal(message{Event: event, Args: args}) // strings always marshal
	return b
}

// enqueue queues a frame for the writer. A console line arriving while
// consoleBuffer lines are already pending and the writer has made no
// progress for the stall timeout pushes out the oldest pending line.
func (sock *socket) enqueue(n *Node, data []byte, console bool) {
	sock.qmu.Lock()
	defer sock.qmu.Unlock()
	if len(sock.queue) == 0 {
		sock.progress = time.Now() // an idle writer is not a stalled one
	}
	stalled := time.Since(sock.progress) > n.cfg.stall
	if console && sock.consoleN >= consoleBuffer && stalled || len(sock.queue) >= hardQueueCap {
		if sock.dropOldestConsole() {
			n.dropped++
		}
	}
	sock.queue = append(sock.queue, outItem{data: data, console: console})
	if console {
		sock.consoleN++
	}
	select {
	case sock.wake <- struct{}{}:
	default:
	}
}

func (sock *socket) dropOldestConsole() bool {
	for i, it := range sock.queue {
		if it.console {
			sock.queue = append(sock.queue[:i], sock.queue[i+1:]...)
			sock.consoleN--
			return true
		}
	}
	return false
}

// writeLoop is the socket's single writer.
func (sock *socket) writeLoop() {
	for {
		select {
		case <-sock.done:
			return
		case <-sock.wake:
		}
		for {
			it, ok := sock.pop()
			if !ok {
				break
			}
			_ = sock.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := sock.ws.WriteMessage(websocket.TextMessage, it.data); err != nil {
				_ = sock.ws.Close() // the read loop notices and cleans up
				return
			}
		}
	}
}

func (sock *socket) pop() (outItem, bool) {
	sock.qmu.Lock()
	defer sock.qmu.Unlock()
	sock.progress = time.Now()
	if len(sock.queue) == 0 {
		return outItem{}, false
	}
	it := sock.queue[0]
	sock.queue[0] = outItem{}
	sock.queue = sock.queue[1:]
	if it.console {
		sock.consoleN--
	}
	return it, true
}

// nextDeadline is the socket's next scheduled event: its token tick, or the
// auth grace deadline while it has not authenticated.
func (sock *socket) nextDeadline() time.Time {
	if sock.token == nil {
		return sock.connectedAt.Add(authGrace)
	}
	return sock.nextTick
}

// fire runs the socket's scheduled events due at n.now.
func (sock *socket) fire(n *Node) {
	if sock.token == nil {
		if !sock.connectedAt.Add(authGrace).After(n.now) {
			_ = sock.ws.Close()
			sock.connectedAt = n.now.Add(time.Hour) // closing; do not fire again
		}
		return
	}
	if sock.nextTick.After(n.now) {
		return
	}
	sock.nextTick = sock.nextTick.Add(tickEvery)
	switch left := sock.token.Expires - n.now.Unix(); {
	case left <= 0:
		sock.sendChecked(n, "token expired", false)
	case left <= expiringWindow:
		sock.sendChecked(n, "token expiring", false)
	}
}
