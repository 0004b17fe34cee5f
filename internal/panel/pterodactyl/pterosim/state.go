package pterosim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// step is a power state a server enters at a given time.
type step struct {
	at    time.Time
	state panel.State
}

// server is one simulated server; every field is guarded by Sim.mu.
type server struct {
	spec         ServerSpec
	internalID   int
	state        panel.State
	runningSince time.Time
	plan         []step // pending transitions, in time order
	timer        stopper
	ws           window // Pelican's websocket-endpoint throttle
}

// stopper is the part of *time.Timer the sim uses.
type stopper interface{ Stop() bool }

func (sv *server) stopTimer() {
	if sv.timer != nil {
		sv.timer.Stop()
		sv.timer = nil
	}
}

// enter moves to st, reporting whether that is a change.
func (sv *server) enter(st panel.State, at time.Time) bool {
	if sv.state == st {
		return false
	}
	sv.state = st
	if st == panel.StateRunning {
		sv.runningSince = at
	}
	return true
}

// settle applies the transitions due by now and returns the states entered.
func (sv *server) settle(now time.Time) []panel.State {
	var entered []panel.State
	for len(sv.plan) > 0 && !sv.plan[0].at.After(now) {
		st := sv.plan[0]
		sv.plan = sv.plan[1:]
		if sv.enter(st.state, st.at) {
			entered = append(entered, st.state)
		}
	}
	return entered
}

// power applies a signal the way Wings does: it is accepted in any state,
// and what it does depends on the state. It returns the states entered now.
func (sv *server) power(sig panel.Signal, now time.Time, d time.Duration) []panel.State {
	switch {
	case sig == panel.SignalKill:
		sv.plan = nil
		return sv.entered(panel.StateOffline, now)
	case sig == panel.SignalStop && (sv.state == panel.StateRunning || sv.state == panel.StateStarting):
		sv.plan = []step{{now.Add(d), panel.StateOffline}}
		return sv.entered(panel.StateStopping, now)
	case sig == panel.SignalStart && sv.state == panel.StateOffline,
		sig == panel.SignalRestart && sv.state == panel.StateOffline:
		sv.plan = []step{{now.Add(d), panel.StateRunning}}
		return sv.entered(panel.StateStarting, now)
	case sig == panel.SignalStart && sv.state == panel.StateStopping,
		sig == panel.SignalRestart && sv.state == panel.StateStopping:
		sv.thenStart(now, d)
		return nil
	case sig == panel.SignalRestart:
		sv.plan = []step{{now.Add(d), panel.StateOffline}}
		sv.thenStart(now, d)
		return sv.entered(panel.StateStopping, now)
	}
	// start while starting or running, stop while stopping or offline: Wings
	// accepts the request and has nothing to do.
	return nil
}

// thenStart starts the server again once the stop in progress ends
// (Wings' restart: wait for the process to exit, then start it).
func (sv *server) thenStart(now time.Time, d time.Duration) {
	t := now
	if len(sv.plan) > 0 && sv.plan[0].state == panel.StateOffline {
		t = sv.plan[0].at
	}
	sv.plan = []step{{t, panel.StateOffline}, {t, panel.StateStarting}, {t.Add(d), panel.StateRunning}}
}

func (sv *server) entered(st panel.State, now time.Time) []panel.State {
	if sv.enter(st, now) {
		return []panel.State{st}
	}
	return nil
}

const mib = 1 << 20

// resources makes up plausible figures for the state: zero load when
// offline, some while starting or stopping, a slowly moving load while
// running. Disk usage stays when the server is off, as on a real node.
func (sv *server) resources(now time.Time) panel.Resources {
	lim := sv.spec.Limits
	r := panel.Resources{State: sv.state, Suspended: sv.spec.Suspended, Live: true,
		MemoryLimitBytes: lim.MemoryMB * mib, DiskLimitBytes: lim.DiskMB * mib,
		DiskBytes: share(lim.DiskMB, 20, 2048)}
	base := share(lim.MemoryMB, 35, 1024)
	var secs int64
	if sv.state == panel.StateRunning || sv.state == panel.StateStopping {
		r.Uptime = now.Sub(sv.runningSince).Truncate(time.Millisecond)
		secs = int64(r.Uptime / time.Second)
	}
	switch sv.state {
	case panel.StateRunning:
		r.CPUPercent, r.MemoryBytes = 12.5+float64(secs%10), base+(secs%32)*mib
	case panel.StateStarting:
		r.CPUPercent, r.MemoryBytes = 85, base/4
	case panel.StateStopping:
		r.CPUPercent, r.MemoryBytes = 4, base/2
	}
	if sv.state != panel.StateOffline {
		r.NetworkRxBytes, r.NetworkTxBytes = secs*2048+4096, secs*1024+2048
	}
	return r
}

// share is pct percent of a limit in MiB, in bytes; def MiB when unlimited.
func share(limitMB, pct, def int64) int64 {
	if limitMB <= 0 {
		return def * mib
	}
	return limitMB * mib * pct / 100
}

// buildServers checks the specs and fills in what they leave out.
func (s *Sim) buildServers() error {
	seen := make(map[string]bool)
	for i, spec := range s.specs {
		spec, err := completeSpec(spec)
		if err != nil {
			return fmt.Errorf("server %d: %w", i+1, err)
		}
		if seen[spec.Identifier] || seen[spec.UUID] {
			return fmt.Errorf("server %d: identifier %s is used twice", i+1, spec.Identifier)
		}
		seen[spec.Identifier], seen[spec.UUID] = true, true
		s.servers = append(s.servers, &server{spec: spec, internalID: i + 1, state: spec.State, runningSince: s.now()})
	}
	return nil
}

func completeSpec(spec ServerSpec) (ServerSpec, error) {
	spec, err := completeIdentity(spec)
	if err != nil {
		return spec, err
	}
	if spec.State == "" {
		spec.State = panel.StateOffline
	}
	if panel.ParseState(string(spec.State)) != spec.State {
		return spec, fmt.Errorf("state %q: use offline, starting, running or stopping", spec.State)
	}
	if spec.Name == "" {
		spec.Name = "Server " + spec.Identifier
	}
	if spec.NodeName == "" {
		spec.NodeName = "Node 1"
	}
	return spec, nil
}

// completeIdentity fills in the identifier or the UUID from the other.
func completeIdentity(spec ServerSpec) (ServerSpec, error) {
	spec.Identifier, spec.UUID = strings.ToLower(spec.Identifier), strings.ToLower(spec.UUID)
	switch {
	case spec.Identifier == "" && spec.UUID == "":
		return spec, fmt.Errorf("give an Identifier (8 hex characters, e.g. 1a2b3c4d) or a UUID")
	case spec.Identifier == "":
		spec.Identifier = spec.UUID[:min(8, len(spec.UUID))]
	case spec.UUID == "":
		spec.UUID = deriveUUID(spec.Identifier)
	}
	if !isHex(spec.Identifier) || len(spec.Identifier) != 8 {
		return spec, fmt.Errorf("identifier %q: use 8 lower-case hex characters (e.g. 1a2b3c4d), as the panel does", spec.Identifier)
	}
	if !isUUID(spec.UUID) || spec.UUID[:8] != spec.Identifier {
		return spec, fmt.Errorf("uuid %q: use a UUID whose first 8 characters are the identifier %s", spec.UUID, spec.Identifier)
	}
	return spec, nil
}

func deriveUUID(id string) string {
	h := sha256.Sum256([]byte(id))
	x := hex.EncodeToString(h[:])
	return id + "-" + x[0:4] + "-4" + x[4:7] + "-8" + x[7:10] + "-" + x[10:22]
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for _, i := range []int{8, 13, 18, 23} {
		if s[i] != '-' {
			return false
		}
	}
	return isHex(strings.ReplaceAll(s, "-", ""))
}
