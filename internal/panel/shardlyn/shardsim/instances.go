package shardsim

import (
	"net/http"
	"time"
)

// historyCap bounds the log lines an instance keeps for replay.
const historyCap = 1000

// Instance is one simulated instance, owned by the default account.
type Instance struct {
	ID     string
	Name   string
	Node   string
	Status string // running, stopped, creating, installing, error… (default stopped)
	// ReadOnly: the account sees the instance but may not control it;
	// power answers 403.
	ReadOnly bool
	// Stats are the figures reported while it runs; zero means a default set.
	Stats Stats
}

// Stats are an instance's live figures.
type Stats struct {
	CPUPercent       float64
	MemoryBytes      int64
	MemoryLimitBytes int64
	DiskBytes        int64
	DiskLimitBytes   int64
	NetworkRxBytes   int64
	NetworkTxBytes   int64
}

// DefaultStats are reported by a running instance that set none.
func DefaultStats() Stats {
	return Stats{
		CPUPercent: 12.5, MemoryBytes: 512 << 20, MemoryLimitBytes: 1 << 30,
		DiskBytes: 2 << 30, DiskLimitBytes: 10 << 30, NetworkRxBytes: 1000, NetworkTxBytes: 2000,
	}
}

type instance struct {
	Instance
	target    string // the state a transition ends in
	changeAt  time.Time
	startedAt time.Time
	history   []string
	commands  []string // received on the console websocket
}

func (s *Sim) addLocked(in Instance) {
	if in.Status == "" {
		in.Status = "stopped"
	}
	if in.Stats == (Stats{}) {
		in.Stats = DefaultStats()
	}
	if _, dup := s.instances[in.ID]; !dup {
		s.order = append(s.order, in.ID)
	}
	st := &instance{Instance: in}
	if in.Status == "running" {
		st.startedAt = s.now()
	}
	s.instances[in.ID] = st
}

// AddInstance adds (or replaces) an instance while the test runs.
func (s *Sim) AddInstance(in Instance) {
	s.mu.Lock()
	s.addLocked(in)
	s.mu.Unlock()
}

// RemoveInstance deletes an instance and closes its log websockets; later
// requests for it answer 404.
func (s *Sim) RemoveInstance(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.instances, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	for sock := range s.sockets[id] {
		if sock.conn != nil {
			sock.closeLocked(websocketGoingAway, "instance deleted")
		}
	}
	delete(s.sockets, id)
}

// Status returns an instance's current state, or "" when it does not exist.
func (s *Sim) Status(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.instances[id]
	if in == nil {
		return ""
	}
	in.settle(s.now())
	return in.Status
}

// SetStatus forces an instance's state (installing, error…).
func (s *Sim) SetStatus(id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.instances[id]; in != nil {
		in.Status, in.target = status, ""
		if status == "running" {
			in.startedAt = s.now()
		}
	}
}

// settle ends a transition whose time has come.
func (in *instance) settle(now time.Time) {
	if in.target == "" || now.Before(in.changeAt) {
		return
	}
	in.Status, in.target = in.target, ""
	if in.Status == "running" {
		in.startedAt = in.changeAt
	}
}

func (in *instance) json() map[string]any {
	return map[string]any{"id": in.ID, "name": in.Name, "node_id": in.Node, "status": in.Status}
}

func (s *Sim) listInstances(w http.ResponseWriter, _ *http.Request, _ caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := make([]map[string]any, 0, len(s.order))
	for _, id := range s.order {
		in := s.instances[id]
		in.settle(s.now())
		list = append(list, in.json())
	}
	writeJSON(w, http.StatusOK, list)
}

// lookupLocked answers 404 itself when the id is unknown.
func (s *Sim) lookupLocked(w http.ResponseWriter, r *http.Request) *instance {
	in := s.instances[r.PathValue("id")]
	if in == nil {
		writeError(w, http.StatusNotFound, "instance not found")
		return nil
	}
	in.settle(s.now())
	return in
}

func (s *Sim) getInstance(w http.ResponseWriter, r *http.Request, _ caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.lookupLocked(w, r); in != nil {
		writeJSON(w, http.StatusOK, in.json())
	}
}

// stats reports live figures while the instance runs and zeros otherwise.
func (s *Sim) stats(w http.ResponseWriter, r *http.Request, _ caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.lookupLocked(w, r)
	if in == nil {
		return
	}
	st, uptime := Stats{}, 0
	if in.Status == "running" {
		st, uptime = in.Stats, int(s.now().Sub(in.startedAt)/time.Second)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"cpu_percent": st.CPUPercent, "memory_bytes": st.MemoryBytes, "memory_limit_bytes": st.MemoryLimitBytes,
		"disk_bytes": st.DiskBytes, "disk_limit_bytes": st.DiskLimitBytes,
		"network_rx_bytes": st.NetworkRxBytes, "network_tx_bytes": st.NetworkTxBytes, "uptime_seconds": uptime,
	})
}

// power applies start, stop, restart or kill. The control plane is
// declarative, so asking for the state an instance is already heading to
// succeeds without effect; an instance still being created or installed
// answers 409, one the account may only view 403.
func (s *Sim) power(w http.ResponseWriter, r *http.Request, _ caller) {
	action := r.PathValue("action")
	if action != "start" && action != "stop" && action != "restart" && action != "kill" {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.lookupLocked(w, r)
	switch {
	case in == nil:
	case in.ReadOnly:
		writeError(w, http.StatusForbidden, "insufficient permissions")
	case in.Status == "creating" || in.Status == "installing" || in.Status == "migrating" || in.Status == "deleting":
		writeError(w, http.StatusConflict, "instance is "+in.Status)
	default:
		in.apply(action, s.now(), s.cfg.transition)
		writeJSON(w, http.StatusOK, in.json())
	}
}

func (in *instance) apply(action string, now time.Time, d time.Duration) {
	switch action {
	case "start":
		if in.Status != "running" && in.Status != "starting" {
			in.Status, in.target, in.changeAt = "starting", "running", now.Add(d)
		}
	case "restart":
		in.Status, in.target, in.changeAt = "starting", "running", now.Add(d)
	case "stop":
		if in.Status != "stopped" {
			in.Status, in.target, in.changeAt = "stopping", "stopped", now.Add(d)
		}
	case "kill":
		in.Status, in.target = "stopped", ""
	}
	in.settle(now)
}
