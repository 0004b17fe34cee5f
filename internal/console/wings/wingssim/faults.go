package wingssim

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// socketsLocked lists a server's open sockets. Caller holds mu.
func (s *server) socketsLocked() []*socket {
	out := make([]*socket, 0, len(s.sockets))
	for sock := range s.sockets {
		out = append(out, sock)
	}
	return out
}

// dropAllLocked cuts every socket's TCP connection without a close frame;
// the clients see 1006. Closing the net.Conn never blocks.
func (s *server) dropAllLocked() {
	for sock := range s.sockets {
		_ = sock.ws.Close()
	}
}

// closeWith sends a close frame to each socket, off the caller's goroutine:
// a control frame waits for a data frame another writer is stuck on.
func closeWith(socks []*socket, code int, text string) {
	msg := websocket.FormatCloseMessage(code, text)
	for _, sock := range socks {
		go func() {
			_ = sock.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait))
		}()
	}
}

// Drop cuts the TCP connection of every socket of the server, with no close
// frame (the client sees 1006), as a network fault would.
func (n *Node) Drop(uuid string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).dropAllLocked()
	n.signal()
}

// Restart restarts the node: every socket of every server drops (1006) and
// every token issued up to the boot second is refused with "jwt: created
// too far in past (denylist)". Servers keep running and writing. On a
// manual clock the restart takes a second: the clock moves to the next
// whole second, so that tokens minted afterwards are accepted.
func (n *Node) Restart() {
	n.mu.Lock()
	n.boot = n.clk.Now()
	for _, s := range n.servers {
		s.dropAllLocked()
	}
	n.signal()
	boot := n.boot
	n.mu.Unlock()
	if n.manual != nil {
		n.manual.Advance(boot.Truncate(time.Second).Add(time.Second).Sub(boot))
	}
}

// Suspend suspends the server. Pterodactyl's Wings drops its sockets
// (1006) and still accepts new ones; Pelican's closes them with 4409
// "server is suspended" and refuses new ones the same way.
func (n *Node) Suspend(uuid string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.server(uuid)
	s.suspended = true
	if n.cfg.pelican {
		closeWith(s.socketsLocked(), 4409, "server is suspended")
	} else {
		s.dropAllLocked()
	}
	n.signal()
}

// Unsuspend lifts a suspension.
func (n *Node) Unsuspend(uuid string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).suspended = false
}

// Delete deletes the server: Pterodactyl's Wings closes its sockets with
// 1001 "server deleted", Pelican's drops them (1006). Afterwards the socket
// URL answers 404, Credentials fails and the server's generators stop.
func (n *Node) Delete(uuid string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.server(uuid)
	s.deleted = true
	s.stopStatsLocked()
	for st := range n.streams {
		if st.uuid == uuid {
			st.stopLocked()
		}
	}
	if n.cfg.pelican {
		s.dropAllLocked()
	} else {
		closeWith(s.socketsLocked(), websocket.CloseGoingAway, "server deleted")
	}
	n.signal()
}

// FailCredentials makes Credentials fail with err until HealCredentials,
// as when the panel's /websocket endpoint is down or throttling.
func (n *Node) FailCredentials(err error) {
	if err == nil {
		err = fmt.Errorf("wingssim: credentials unavailable")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.credErr = err
}

// HealCredentials ends a FailCredentials fault.
func (n *Node) HealCredentials() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.credErr = nil
}

// randomUUID is a version-4 UUID, for the request_id of Wings' errors.
func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
