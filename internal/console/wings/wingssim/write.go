package wingssim

import (
	"encoding/json"
	"time"

	"github.com/gorilla/websocket"
)

// kind tells live console lines, replayed ones and everything else apart,
// for the counts tests read.
type kind int

const (
	kindOther kind = iota
	kindLive
	kindReplay
)

// frame is one outgoing event.
type frame struct {
	event string
	args  []string
	kind  kind
}

// outEvent is a live event waiting for the socket's event listener: either
// a frame already checked against the token (token ticks, judged at their
// own time) or an event to check when it is written.
type outEvent struct {
	checked *frame
	event   string
	args    []string
}

// permissionFor lists the events a token must be allowed to see.
var permissionFor = map[string]string{
	"install output": "admin.websocket.install", "transfer logs": "admin.websocket.transfer",
	"backup completed": "backup.read", "backup restore completed": "backup.read",
}

// sendJSON is Wings' SendJson: the token is checked at the moment of
// sending; when it fails the event is replaced by `jwt error`.
func (sock *socket) sendJSON(event string, args []string, k kind) {
	sock.n.mu.Lock()
	f, ok := sock.checkedLocked(event, args, k)
	sock.n.mu.Unlock()
	if ok {
		sock.write(f)
	}
}

// checkedLocked applies SendJson's checks at the node's current time; ok is
// false for an event the token may not see. Caller holds Node.mu.
func (sock *socket) checkedLocked(event string, args []string, k kind) (frame, bool) {
	if err := sock.tokenErrLocked(); err != nil {
		return frame{event: "jwt error", args: []string{err.Error()}}, true
	}
	if perm, ok := permissionFor[event]; ok && !sock.token.can(perm) {
		return frame{}, false
	}
	return frame{event: event, args: args, kind: k}, true
}

// write is Wings' unsafeSendJson: one frame under the socket's write lock,
// with no token check. The frame is recorded before it is written, so that
// whatever a client has read is already in the record. A failed write ends
// the connection; the reader notices and cleans up.
func (sock *socket) write(f frame) {
	data, _ := json.Marshal(message{Event: f.event, Args: f.args}) // strings always marshal
	sock.wmu.Lock()
	defer sock.wmu.Unlock()
	sock.n.mu.Lock()
	if f.event == "auth success" {
		// Marked before the write, so that a frame the client sends in
		// answer can never be mistaken for one sent too early.
		sock.authSent = true
	}
	sock.recordSentLocked(f)
	sock.n.signal()
	sock.n.mu.Unlock()
	_ = sock.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := sock.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		_ = sock.ws.Close()
	}
}

// pushLine is Wings' sink pool push: a full buffer gets the stall timeout
// (real time) to drain, then loses its oldest line. It reports a loss.
func (sock *socket) pushLine(line string, stall time.Duration) (lost bool) {
	select {
	case sock.console <- line:
		return false
	case <-sock.done:
		return false
	default:
	}
	t := time.NewTimer(stall)
	defer t.Stop()
	select {
	case sock.console <- line:
		return false
	case <-sock.done:
		return false
	case <-t.C:
	}
	select {
	case <-sock.console:
		lost = true
	default:
	}
	select {
	case sock.console <- line: // room: the publisher is the only sender
	default:
	}
	return lost
}

// consoleLoop is the socket's console listener.
func (sock *socket) consoleLoop() {
	defer sock.wg.Done()
	if !sock.awaitReady() {
		return
	}
	for {
		select {
		case <-sock.done:
			return
		case line := <-sock.console:
			sock.sendJSON("console output", []string{line}, kindLive)
		}
	}
}

// awaitReady holds a listener until the first auth has been answered; it
// is false when the socket closes first.
func (sock *socket) awaitReady() bool {
	select {
	case <-sock.ready:
		return true
	case <-sock.done:
		return false
	}
}

// queueEvent hands a live event to the socket's event listener.
func (sock *socket) queueEvent(e outEvent) {
	sock.evMu.Lock()
	sock.events = append(sock.events, e)
	sock.evMu.Unlock()
	select {
	case sock.evWake <- struct{}{}:
	default:
	}
}

// eventLoop is the socket's listener for every live event but console lines.
func (sock *socket) eventLoop() {
	defer sock.wg.Done()
	if !sock.awaitReady() {
		return
	}
	for {
		select {
		case <-sock.done:
			return
		case <-sock.evWake:
		}
		for e, ok := sock.popEvent(); ok; e, ok = sock.popEvent() {
			if e.checked != nil {
				sock.write(*e.checked)
			} else {
				sock.sendJSON(e.event, e.args, kindOther)
			}
		}
	}
}

func (sock *socket) popEvent() (outEvent, bool) {
	sock.evMu.Lock()
	defer sock.evMu.Unlock()
	if len(sock.events) == 0 {
		return outEvent{}, false
	}
	e := sock.events[0]
	sock.events = sock.events[1:]
	return e, true
}

// writeRaw writes bytes no daemon would produce, for InjectRaw.
func (sock *socket) writeRaw(data []byte) {
	sock.wmu.Lock()
	defer sock.wmu.Unlock()
	_ = sock.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := sock.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		_ = sock.ws.Close()
	}
}
