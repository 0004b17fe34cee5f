package pterosim

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// Request is one request the sim received, as tests inspect it.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header // the Authorization header is removed
	Body   []byte
	Status int // what the sim answered; 0 until it has
}

// FailNext makes the next n requests whose path starts with pathPrefix
// (e.g. "/api/client/servers/1a2b3c4d/power"; "" matches all) fail with
// status and the panel's error envelope for it; a 429 carries Retry-After 1.
// The failure comes before any other check, as a proxy's would.
func (s *Sim) FailNext(pathPrefix string, status, n int) {
	if status < 400 || status > 599 || n < 1 {
		panic(fmt.Sprintf("pterosim: FailNext(%q, %d, %d): use a 4xx or 5xx status and n ≥ 1", pathPrefix, status, n))
	}
	s.faults.Add(pathPrefix, status, "", n)
}

// SetDown makes every request answer 500 with an HTML error page, as a
// panel whose PHP or database is down does, until SetDown(false).
func (s *Sim) SetDown(down bool) { s.http.SetDown(down) }

// SetNodeDown makes the node unreachable: resources, power and command
// answer 504 DaemonConnectionException, as the panel does when Wings is down.
func (s *Sim) SetNodeDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodeDown = down
}

// Requests returns a copy of every request received so far.
func (s *Sim) Requests() []Request {
	out := s.http.Log.All()
	for i, r := range out {
		out[i].Query, out[i].Header = cloneValues(r.Query), r.Header.Clone()
		out[i].Body = append([]byte(nil), r.Body...)
	}
	return out
}

// Count tells how many requests had this method ("" for any) and a path
// starting with pathPrefix.
func (s *Sim) Count(method, pathPrefix string) int {
	return s.http.Log.Count(func(r Request) bool {
		return (method == "" || r.Method == method) && strings.HasPrefix(r.Path, pathPrefix)
	})
}

// ServerState is a server's power state now (id: identifier or UUID); ""
// for an unknown server.
func (s *Sim) ServerState(id string) panel.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	if sv := s.lookupLocked(id); sv != nil {
		return sv.state
	}
	return ""
}

// SetState puts a server in a state at once, dropping any transition in
// progress (a crash, an operator acting on the node).
func (s *Sim) SetState(id string, st panel.State) error {
	if panel.ParseState(string(st)) != st {
		return fmt.Errorf("pterosim: state %q: use offline, starting, running or stopping", st)
	}
	return s.withServer(id, func(sv *server, now time.Time) []panel.State {
		sv.plan = nil
		return sv.entered(st, now)
	})
}

// Power applies a power signal as the node would (for a node simulator's
// websocket "set state"), without the panel's checks.
func (s *Sim) Power(id string, sig panel.Signal) error {
	if _, err := panel.ParseSignal(string(sig)); err != nil {
		return fmt.Errorf("pterosim: %w", err)
	}
	return s.withServer(id, func(sv *server, now time.Time) []panel.State {
		return sv.power(sig, now, s.delay)
	})
}

// SetSuspended suspends or unsuspends a server.
func (s *Sim) SetSuspended(id string, suspended bool) error {
	return s.withServer(id, func(sv *server, _ time.Time) []panel.State {
		sv.spec.Suspended = suspended
		return nil
	})
}

// SetInstalling marks a server as installing (or done installing).
func (s *Sim) SetInstalling(id string, installing bool) error {
	return s.withServer(id, func(sv *server, _ time.Time) []panel.State {
		sv.spec.Installing = installing
		return nil
	})
}

// Resources is what /resources would answer now, limits included.
func (s *Sim) Resources(id string) (panel.Resources, error) {
	var r panel.Resources
	err := s.withServer(id, func(sv *server, now time.Time) []panel.State {
		r = sv.resources(now)
		return nil
	})
	return r, err
}

// Server returns a server's spec, identifier and UUID filled in.
func (s *Sim) Server(id string) (ServerSpec, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sv := s.lookupLocked(id); sv != nil {
		spec := sv.spec
		spec.State = sv.state
		spec.Permissions = append([]string(nil), spec.Permissions...)
		return spec, true
	}
	return ServerSpec{}, false
}

// Tick applies the transitions that are due by the clock and tells the
// node; call it after moving an injected clock.
func (s *Sim) Tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
}

func (s *Sim) withServer(id string, fn func(sv *server, now time.Time) []panel.State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	sv := s.lookupLocked(id)
	if sv == nil {
		return fmt.Errorf("pterosim: no server %q", id)
	}
	s.changedLocked(sv, fn(sv, s.now()))
	s.rearmLocked(sv)
	return nil
}

// settleLocked applies due transitions on every server.
func (s *Sim) settleLocked() {
	if s.closed {
		return
	}
	now := s.now()
	for _, sv := range s.servers {
		if entered := sv.settle(now); len(entered) > 0 {
			s.changedLocked(sv, entered)
			s.rearmLocked(sv)
		}
	}
}

// changedLocked tells the node about the states a server entered.
func (s *Sim) changedLocked(sv *server, entered []panel.State) {
	for _, st := range entered {
		s.hooks.push(hookEvent{uuid: sv.spec.UUID, state: string(st)})
	}
}

// rearmLocked sets the server's timer for its next transition, when the
// sim runs on the real clock.
func (s *Sim) rearmLocked(sv *server) {
	if !s.realClock || s.closed {
		return
	}
	sv.stopTimer()
	if len(sv.plan) > 0 {
		sv.timer = time.AfterFunc(max(sv.plan[0].at.Sub(s.now()), 0), s.Tick)
	}
}

// lookupLocked finds a server the way the panel binds the route: an
// 8-character value is an identifier, anything else a UUID.
func (s *Sim) lookupLocked(id string) *server {
	for _, sv := range s.servers {
		if (len(id) == 8 && strings.EqualFold(id, sv.spec.Identifier)) || strings.EqualFold(id, sv.spec.UUID) {
			return sv
		}
	}
	return nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
