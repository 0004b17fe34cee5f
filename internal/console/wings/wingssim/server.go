package wingssim

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

const (
	// throttleLines per throttleWindow is Wings' console output limit.
	throttleLines  = 2000
	throttleWindow = 100 * time.Millisecond
)

// server is one game server on the node. All fields are guarded by Node.mu.
type server struct {
	uuid      string
	state     string
	suspended bool
	startedAt time.Time
	nextStats time.Time
	usage     Usage
	log       []string // the container's log, newest last
	sockets   map[*socket]struct{}
	opening   int // sockets admitted by serveWS, not yet registered
	auths     int
	received  int // frames read, before limits and decoding
	inbound   []string
	commands  []string

	windowStart time.Time
	windowCount int
	throttling  bool
}

// containerRunning is Wings' IsRunning: the container is up in every state
// but offline.
func (s *server) containerRunning() bool { return s.state != "offline" }

// broadcast sends an event to every authenticated socket of the server
// through the token check, as Wings' SendJson does.
func (s *server) broadcast(n *Node, event string, console bool, args ...string) {
	for sock := range s.sockets {
		if sock.token != nil {
			sock.sendChecked(n, event, console, args...)
		}
	}
}

func (s *server) statsJSON(now time.Time) string {
	var uptime int64
	if s.containerRunning() && !s.startedAt.IsZero() {
		uptime = now.Sub(s.startedAt).Milliseconds()
	}
	b, _ := json.Marshal(map[string]any{ // plain values always marshal
		"memory_bytes": s.usage.MemoryBytes, "memory_limit_bytes": s.usage.MemoryLimitBytes,
		"cpu_absolute": s.usage.CPUAbsolute, "disk_bytes": s.usage.DiskBytes,
		"network": map[string]int64{"rx_bytes": s.usage.RxBytes, "tx_bytes": s.usage.TxBytes},
		"uptime":  uptime, "state": s.state,
	})
	return string(b)
}

// console records a line in the container log and, unless the console
// throttle is engaged, relays it live.
func (s *server) console(n *Node, line string) {
	s.log = append(s.log, line)
	if len(s.log) > 2*n.cfg.backlog {
		s.log = slices.Clone(s.log[len(s.log)-n.cfg.backlog:])
	}
	if !s.throttleAllows(n) {
		return
	}
	s.broadcast(n, "console output", true, line)
}

// throttleAllows applies the 2000 lines / 100 ms limit on the simulated
// clock, announcing each throttling episode once.
func (s *server) throttleAllows(n *Node) bool {
	if !n.now.Before(s.windowStart.Add(throttleWindow)) {
		s.windowStart, s.windowCount, s.throttling = n.now, 0, false
	}
	s.windowCount++
	if s.windowCount <= throttleLines {
		return true
	}
	if !s.throttling {
		s.throttling = true
		daemon := "[Pterodactyl Daemon]"
		if n.cfg.pelican {
			daemon = "[pelican Daemon]"
		}
		s.broadcast(n, "console output", true, daemon+": Server is outputting console data too quickly -- throttling...")
	}
	return false
}

// setState changes the power state and tells the sockets; a container that
// starts from offline is recreated, which empties its log as on a real node.
func (s *server) setState(n *Node, state string) {
	if state == s.state {
		return
	}
	if s.state == "offline" {
		s.log, s.startedAt, s.nextStats = nil, n.now, n.now.Add(n.cfg.statsEvery)
	}
	s.state = state
	s.broadcast(n, "status", false, state)
	if state == "offline" {
		s.broadcast(n, "stats", false, s.statsJSON(n.now))
	}
}

// dropAll cuts every socket's TCP connection without a close frame; the
// clients see 1006.
func (s *server) dropAll() {
	for sock := range s.sockets {
		_ = sock.ws.Close()
	}
}

// SetState sets a server's power state ("offline", "starting", "running",
// "stopping"), sending `status` to its sockets on a change and one `stats`
// on going offline.
func (n *Node) SetState(uuid, state string) {
	switch state {
	case "offline", "starting", "running", "stopping":
	default:
		n.t.Errorf("wingssim: SetState(%q, %q): unknown state", uuid, state)
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).setState(n, state)
	n.signal()
}

// StateChanged is SetState under the name the panel simulator calls.
func (n *Node) StateChanged(serverUUID, state string) { n.SetState(serverUUID, state) }

// Command records a console command that reached the server, whether through
// the websocket or through the panel's REST API (pterosim calls this).
func (n *Node) Command(serverUUID, command string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(serverUUID).commands = append(n.server(serverUUID).commands, command)
	n.signal()
}

// Commands lists the commands the server received, oldest first.
func (n *Node) Commands(uuid string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.server(uuid).commands)
}

// Emit writes console lines, as the game would.
func (n *Node) Emit(uuid string, lines ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.server(uuid)
	for _, l := range lines {
		s.console(n, l)
	}
	n.signal()
}

// Flood writes n numbered lines at one simulated instant, enough to engage
// the console throttle when n > 2000.
func (n *Node) Flood(uuid string, count int) {
	lines := make([]string, count)
	for i := range lines {
		lines[i] = fmt.Sprintf("flood line %d", i)
	}
	n.Emit(uuid, lines...)
}

// SetUsage sets the figures the server's `stats` report.
func (n *Node) SetUsage(uuid string, u Usage) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).usage = u
}

// Inject sends an arbitrary event to the server's authenticated sockets,
// through the token check, for tests of events the simulator does not
// produce by itself (throttled, daemon message, unknown events, …).
func (n *Node) Inject(uuid, event string, args ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).broadcast(n, event, false, args...)
}

// InjectRaw sends raw bytes as a text frame to every socket of the server.
func (n *Node) InjectRaw(uuid string, frame []byte) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for sock := range n.server(uuid).sockets {
		sock.enqueue(n, frame, false)
	}
}

// Drop cuts the TCP connection of every socket of the server.
func (n *Node) Drop(uuid string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).dropAll()
}

// Restart restarts the node: every socket drops and every token issued
// before the restart is refused with "jwt: created too far in past
// (denylist)". The boot time is the next whole second, and the clock moves
// there, so tokens minted after the restart are valid.
func (n *Node) Restart() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, s := range n.servers {
		s.dropAll()
	}
	boot := n.now.Truncate(time.Second).Add(time.Second)
	n.advanceLocked(boot)
	n.boot = boot
	n.signal()
}

// Suspend suspends the server: its sockets drop, and new ones are closed
// with 4409 "server is suspended".
func (n *Node) Suspend(uuid string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.server(uuid)
	s.suspended = true
	s.dropAll()
}

// Unsuspend lifts a suspension.
func (n *Node) Unsuspend(uuid string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.server(uuid).suspended = false
}

// Sockets counts the server's open sockets.
func (n *Node) Sockets(uuid string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.server(uuid).sockets)
}

// Auths counts successful `auth` events on the server's sockets.
func (n *Node) Auths(uuid string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.server(uuid).auths
}

// Inbound lists, oldest first, the events the server's sockets accepted
// (after rate limiting and JSON decoding).
func (n *Node) Inbound(uuid string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.server(uuid).inbound)
}

// Received counts the frames the server's sockets have read, refused ones
// included, so that a test can wait until the node has seen all it sent.
func (n *Node) Received(uuid string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.server(uuid).received
}

// OpenReceived counts the frames read on the server's open sockets only. A
// test compares it with what the client wrote on its current connection to
// know no frame is in flight before it moves the clock: a frame read after
// Advance would be limited and answered at the later time, which a real
// clock could never do.
func (n *Node) OpenReceived(uuid string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	total := 0
	for sock := range n.server(uuid).sockets {
		total += sock.received
	}
	return total
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
