package wingssim

import (
	"maps"
	"slices"
)

// recordCap bounds each recorded list, so that a long benchmark does not
// grow without end; counts keep counting past it.
const recordCap = 1 << 16

// serverStats are a server's counters. Guarded by Node.mu.
type serverStats struct {
	received  int            // frames read, before limits and decoding
	events    map[string]int // frames accepted, per event
	inbound   []string
	auths     int
	commands  []string
	live      int
	replayed  int
	jwtErrors []string
}

// Frame is one frame a socket wrote, as recorded for tests.
type Frame struct {
	Event  string
	Arg    string // the first argument, if any
	Replay bool   // a `console output` written by `send logs`
}

// SocketRecord is what happened on one socket.
type SocketRecord struct {
	Open bool
	// Received lists the events accepted from the client, in read order.
	Received []string
	// Early lists the non-auth events read before the socket's first `auth
	// success` was written: what a strict client never sends. It is a lower
	// bound: a frame sent too early but read after that write is missed,
	// while a patient client is never listed.
	Early []string
	// Sent lists the frames written to the client, in wire order, each
	// recorded as its write begins (so whatever a client read is listed).
	Sent []Frame
	// JWTErrors lists the texts of the `jwt error` frames written.
	JWTErrors []string
}

type record struct {
	open      bool
	received  []string
	early     []string
	sent      []Frame
	jwtErrors []string
}

func appendCapped[T any](s []T, v T) []T {
	if len(s) >= recordCap {
		return s
	}
	return append(s, v)
}

func (sock *socket) recordInboundLocked(event string) {
	st := &sock.srv.stats
	st.events[event]++
	st.inbound = appendCapped(st.inbound, event)
	sock.rec.received = appendCapped(sock.rec.received, event)
	if event != "auth" && !sock.authSent {
		sock.rec.early = appendCapped(sock.rec.early, event)
	}
}

func (sock *socket) recordSentLocked(f frame) {
	fr := Frame{Event: f.event, Replay: f.kind == kindReplay}
	if len(f.args) > 0 {
		fr.Arg = f.args[0]
	}
	if !sock.n.cfg.noFrameLog {
		sock.rec.sent = appendCapped(sock.rec.sent, fr)
	}
	switch {
	case f.event == "jwt error":
		sock.rec.jwtErrors = appendCapped(sock.rec.jwtErrors, fr.Arg)
		sock.srv.stats.jwtErrors = appendCapped(sock.srv.stats.jwtErrors, fr.Arg)
	case f.kind == kindLive:
		sock.srv.stats.live++
	case f.kind == kindReplay:
		sock.srv.stats.replayed++
	}
}

// stats runs f on the server's counters under the node's lock.
func stats[T any](n *Node, uuid string, f func(*server) T) T {
	n.mu.Lock()
	defer n.mu.Unlock()
	return f(n.server(uuid))
}

// Sockets counts the server's open sockets.
func (n *Node) Sockets(uuid string) int {
	return stats(n, uuid, func(s *server) int { return len(s.sockets) })
}

// Auths counts successful `auth` events on the server's sockets.
func (n *Node) Auths(uuid string) int {
	return stats(n, uuid, func(s *server) int { return s.stats.auths })
}

// Inbound lists, oldest first, the events the server's sockets accepted
// (after rate limiting and JSON decoding), all sockets together.
func (n *Node) Inbound(uuid string) []string {
	return stats(n, uuid, func(s *server) []string { return slices.Clone(s.stats.inbound) })
}

// EventCounts counts the frames the server's sockets accepted, per event.
func (n *Node) EventCounts(uuid string) map[string]int {
	return stats(n, uuid, func(s *server) map[string]int { return maps.Clone(s.stats.events) })
}

// Received counts the frames the server's sockets have read, refused ones
// included, so that a test can wait until the node has seen all it sent.
func (n *Node) Received(uuid string) int {
	return stats(n, uuid, func(s *server) int { return s.stats.received })
}

// OpenReceived counts the frames read on the server's open sockets only.
func (n *Node) OpenReceived(uuid string) int {
	return stats(n, uuid, func(s *server) int {
		total := 0
		for sock := range s.sockets {
			total += sock.received
		}
		return total
	})
}

// Handling counts the frames on the server's open sockets whose handlers
// have not returned yet; with Received it tells a test that the node has
// finished answering everything the client sent.
func (n *Node) Handling(uuid string) int {
	return stats(n, uuid, func(s *server) int {
		total := 0
		for sock := range s.sockets {
			total += sock.handling
		}
		return total
	})
}

// History describes every socket the server has had, oldest first.
func (n *Node) History(uuid string) []SocketRecord {
	return stats(n, uuid, func(s *server) []SocketRecord {
		out := make([]SocketRecord, 0, len(s.history))
		for _, sock := range s.history {
			r := sock.rec
			out = append(out, SocketRecord{Open: r.open, Received: slices.Clone(r.received),
				Early: slices.Clone(r.early), Sent: slices.Clone(r.sent), JWTErrors: slices.Clone(r.jwtErrors)})
		}
		return out
	})
}

// EarlyEvents lists, over all the server's sockets, the non-auth events
// read before their socket's first `auth success` was written.
func (n *Node) EarlyEvents(uuid string) []string {
	var out []string
	for _, r := range n.History(uuid) {
		out = append(out, r.Early...)
	}
	return out
}

// JWTErrors lists the texts of every `jwt error` the server's sockets wrote.
func (n *Node) JWTErrors(uuid string) []string {
	return stats(n, uuid, func(s *server) []string { return slices.Clone(s.stats.jwtErrors) })
}

// LiveLines counts `console output` frames written live, all sockets.
func (n *Node) LiveLines(uuid string) int {
	return stats(n, uuid, func(s *server) int { return s.stats.live })
}

// ReplayedLines counts `console output` frames written by `send logs`.
func (n *Node) ReplayedLines(uuid string) int {
	return stats(n, uuid, func(s *server) int { return s.stats.replayed })
}

// Commands lists the commands the server received, oldest first, through
// the websocket or the panel.
func (n *Node) Commands(uuid string) []string {
	return stats(n, uuid, func(s *server) []string { return slices.Clone(s.stats.commands) })
}

// Throttled counts the `throttled` events the node has sent.
func (n *Node) Throttled() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.throttled
}

// Dropped counts console lines lost because a socket's client stalled.
func (n *Node) Dropped() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.dropped
}

// CredentialsCalls counts calls of Credentials, failed ones included.
func (n *Node) CredentialsCalls() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.credCalls
}
