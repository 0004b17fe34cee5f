package wingssim

import (
	"fmt"
)

// daemonLine formats a line the daemon itself writes to the console.
func (n *Node) daemonLine(format string) string {
	name := "Pterodactyl Daemon"
	if n.cfg.pelican {
		name = "pelican Daemon"
	}
	return fmt.Sprintf(format, name)
}

// Emit writes console lines, as the game would: they enter the container
// log and, through the console throttle, every listening socket's console
// buffer. It returns once each line is buffered (or lost to a stalled
// socket); the sockets' listeners write them on their own goroutines.
func (n *Node) Emit(uuid string, lines ...string) {
	n.mu.Lock()
	s := n.server(uuid)
	n.mu.Unlock()
	n.emit(s, lines)
}

func (n *Node) emit(s *server, lines []string) {
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	n.mu.Lock()
	if s.deleted {
		n.mu.Unlock()
		return
	}
	live := s.logLocked(n, lines)
	targets := s.listenersLocked()
	n.mu.Unlock()
	lost := 0
	for _, l := range live {
		for _, sock := range targets {
			if sock.pushLine(l, n.cfg.stall) {
				lost++
			}
		}
	}
	n.mu.Lock()
	n.dropped += lost
	n.signal()
	n.mu.Unlock()
}

// Flood writes count numbered lines ("flood line 0", …) at one instant of
// the node's clock, enough to engage the console throttle when count > 2000.
func (n *Node) Flood(uuid string, count int) {
	lines := make([]string, count)
	for i := range lines {
		lines[i] = fmt.Sprintf("flood line %d", i)
	}
	n.Emit(uuid, lines...)
}

// SetState sets a server's power state ("offline", "starting", "running",
// "stopping"), sending `status` to its sockets on a change and one `stats`
// on going offline. Leaving offline empties the log and starts the stats
// ticker.
func (n *Node) SetState(uuid, state string) {
	switch state {
	case "offline", "starting", "running", "stopping":
	default:
		n.t.Errorf("wingssim: SetState(%q, %q): unknown state", uuid, state)
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).setStateLocked(n, state)
	n.signal()
}

// StateChanged is SetState under the name the panel simulator calls.
func (n *Node) StateChanged(serverUUID, state string) { n.SetState(serverUUID, state) }

// Command records a console command that reached the server through the
// panel's REST API (pterosim calls this); websocket commands are recorded
// by the node itself.
func (n *Node) Command(serverUUID, command string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.server(serverUUID)
	s.stats.commands = append(s.stats.commands, command)
	n.signal()
}

// SetUsage sets the figures the server's `stats` report.
func (n *Node) SetUsage(uuid string, u Usage) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).usage = u
}

// Inject sends an arbitrary event to the server's listening sockets,
// through the token check, for tests of events the simulator does not
// produce by itself (daemon message, install output, unknown events, …).
func (n *Node) Inject(uuid, event string, args ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).publishLocked(event, args...)
}

// InjectRaw writes raw bytes as a text frame to every socket of the server,
// authenticated or not, with no token check.
func (n *Node) InjectRaw(uuid string, data []byte) {
	n.mu.Lock()
	var socks []*socket
	for sock := range n.server(uuid).sockets {
		socks = append(socks, sock)
	}
	n.mu.Unlock()
	for _, sock := range socks {
		sock.writeRaw(data)
	}
}
