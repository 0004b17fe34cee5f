package wingssim

import (
	"encoding/json"
	"slices"
	"sync"
	"time"
)

const (
	// throttleLines per throttleWindow is Wings' console output limit.
	throttleLines  = 2000
	throttleWindow = 100 * time.Millisecond
	// throttleNotice is the daemon's own console line, ANSI codes included;
	// %s is the daemon's name.
	throttleNotice = "\x1b[33m\x1b[1m[%s]:\x1b[39m Server is outputting console data too quickly -- throttling...\x1b[0m"
)

// server is one game server on the node. Fields are guarded by Node.mu,
// except emitMu.
type server struct {
	uuid      string
	state     string
	suspended bool
	deleted   bool
	startedAt time.Time
	stopStats func() // cancels the pending stats tick; nil when none
	usage     Usage
	log       []string // the container's log, newest last
	sockets   map[*socket]struct{}
	opening   int // sockets admitted by serveWS, not yet registered
	history   []*socket
	stats     serverStats

	windowStart time.Time
	windowCount int
	throttling  bool

	// emitMu keeps console lines in order: one publisher at a time hands a
	// line to every socket before the next line goes.
	emitMu sync.Mutex
}

func newServer(uuid string) *server {
	return &server{uuid: uuid, state: "offline", sockets: make(map[*socket]struct{}),
		stats: serverStats{events: make(map[string]int)}}
}

// containerRunning is Wings' IsRunning: the container is up in every state
// but offline.
func (s *server) containerRunning() bool { return s.state != "offline" }

// listenersLocked lists the sockets whose listeners are registered (those
// that have authenticated once). Caller holds Node.mu.
func (s *server) listenersLocked() []*socket {
	var out []*socket
	for sock := range s.sockets {
		if sock.listening {
			out = append(out, sock)
		}
	}
	return out
}

// publishLocked hands a non-console event to every listening socket; each
// socket's listener checks the token when it writes. Caller holds Node.mu.
func (s *server) publishLocked(event string, args ...string) {
	for _, sock := range s.listenersLocked() {
		sock.queueEvent(outEvent{event: event, args: args})
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

// logLocked records lines in the container log and returns what goes out
// live: the lines the throttle lets through and, once per episode, the
// daemon's notice. Dropped lines stay in the log, so `send logs` replays
// them. Caller holds Node.mu.
func (s *server) logLocked(n *Node, lines []string) []string {
	now := n.clk.Now()
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		s.log = append(s.log, l)
		if ok, notice := s.throttleLocked(now); ok {
			out = append(out, l)
		} else if notice {
			out = append(out, n.daemonLine(throttleNotice))
		}
	}
	if len(s.log) > 2*n.cfg.backlog {
		s.log = slices.Clone(s.log[len(s.log)-n.cfg.backlog:])
	}
	return out
}

// throttleLocked applies the 2000 lines / 100 ms limit on the node's clock.
func (s *server) throttleLocked(now time.Time) (ok, notice bool) {
	if !now.Before(s.windowStart.Add(throttleWindow)) {
		s.windowStart, s.windowCount, s.throttling = now, 0, false
	}
	s.windowCount++
	if s.windowCount <= throttleLines {
		return true, false
	}
	notice = !s.throttling
	s.throttling = true
	return false, notice
}

// setStateLocked changes the power state and tells the sockets; a container
// that starts from offline is recreated, which empties its log as on a real
// node, and starts reporting stats.
func (s *server) setStateLocked(n *Node, state string) {
	if state == s.state {
		return
	}
	if s.state == "offline" {
		s.log, s.startedAt = nil, n.clk.Now()
		s.scheduleStatsLocked(n)
	}
	s.state = state
	s.publishLocked("status", state)
	if state == "offline" {
		s.stopStatsLocked()
		s.publishLocked("stats", s.statsJSON(n.clk.Now()))
	}
}

// scheduleStatsLocked arms the next periodic `stats` on the node's clock.
func (s *server) scheduleStatsLocked(n *Node) {
	if n.cfg.statsEvery == 0 || n.closing || s.deleted {
		return
	}
	s.stopStats = n.schedule(n.cfg.statsEvery, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if s.stopStats == nil || !s.containerRunning() {
			return // stopped while this tick was on its way
		}
		s.publishLocked("stats", s.statsJSON(n.clk.Now()))
		s.scheduleStatsLocked(n)
	})
}

func (s *server) stopStatsLocked() {
	if s.stopStats != nil {
		s.stopStats()
		s.stopStats = nil
	}
}
