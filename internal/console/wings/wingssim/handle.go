package wingssim

import (
	"slices"
	"strings"
)

// handleFrame is Wings' HandleInbound, run on the frame's own goroutine.
func (sock *socket) handleFrame(m message) {
	if m.Event != "auth" {
		sock.n.mu.Lock()
		err := sock.tokenErrLocked()
		sock.n.mu.Unlock()
		if err != nil {
			sock.write(frame{event: "jwt error", args: []string{err.Error()}})
			return
		}
	}
	switch m.Event {
	case "auth":
		sock.auth(strings.Join(m.Args, ""))
	case "send logs":
		sock.replay()
	case "send stats":
		sock.n.mu.Lock()
		stats := sock.srv.statsJSON(sock.n.clk.Now())
		sock.n.mu.Unlock()
		sock.sendJSON("stats", []string{stats}, kindOther)
	case "send command":
		sock.command(strings.Join(m.Args, ""))
	case "set state":
		sock.power(strings.Join(m.Args, ""))
	}
}

// replay answers `send logs` with the tail of the container log, one
// SendJson per line, racing the live listener for the write lock. An
// offline server has no container to read: nothing is sent.
func (sock *socket) replay() {
	n := sock.n
	n.mu.Lock()
	running := sock.srv.containerRunning()
	lines := slices.Clone(sock.srv.log[max(0, len(sock.srv.log)-n.cfg.backlog):])
	n.mu.Unlock()
	if !running {
		return
	}
	for _, l := range lines {
		select {
		case <-sock.done:
			return
		default:
		}
		sock.sendJSON("console output", []string{l}, kindReplay)
	}
}

// command is `send command`: silently ignored without control.console or
// while the server is offline.
func (sock *socket) command(cmd string) {
	n := sock.n
	n.mu.Lock()
	defer n.mu.Unlock()
	if !sock.token.can("control.console") || !sock.srv.containerRunning() {
		return
	}
	sock.srv.stats.commands = append(sock.srv.stats.commands, cmd)
	n.signal()
}

// power models `set state` coarsely: a denied action is silently ignored;
// an allowed one walks the state through its intermediate values at once.
func (sock *socket) power(action string) {
	need := map[string]string{"start": "control.start", "stop": "control.stop", "restart": "control.restart", "kill": "control.stop"}
	steps := map[string][]string{
		"start": {"starting", "running"}, "stop": {"stopping", "offline"},
		"restart": {"stopping", "offline", "starting", "running"}, "kill": {"offline"},
	}
	n := sock.n
	n.mu.Lock()
	defer n.mu.Unlock()
	perm, ok := need[action]
	if !ok || !sock.token.can(perm) {
		return
	}
	for _, st := range steps[action] {
		sock.srv.setStateLocked(n, st)
	}
	n.signal()
}
