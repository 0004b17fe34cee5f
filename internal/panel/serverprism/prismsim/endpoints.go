package prismsim

import (
	"net/http"
	"strconv"
)

// endpoint serves an authenticated, admitted, scoped request.
func (s *Sim) endpoint(w http.ResponseWriter, r *http.Request, rt route, customer int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt.kind == "list" {
		s.list(w, customer)
		return
	}
	srv := s.owned(rt.id, customer)
	if srv == nil {
		writeMessage(w, http.StatusNotFound, MsgNotFound)
		return
	}
	switch rt.kind {
	case "details":
		writeJSON(w, http.StatusOK, map[string]any{"data": detailsOf(srv)})
	case "power":
		s.power(w, srv, jsonFields(r.Header.Get("Content-Type"), body))
	case "command":
		s.command(w, srv, jsonFields(r.Header.Get("Content-Type"), body))
	}
}

// owned finds a listed service of the customer; s.mu is held.
func (s *Sim) owned(id string, customer int) *Server {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != id {
		return nil
	}
	if srv := s.servers[n]; srv != nil && srv.listedFor(customer) {
		return srv
	}
	return nil
}

// list answers GET /servers; s.mu is held.
func (s *Sim) list(w http.ResponseWriter, customer int) {
	data := make([]map[string]any, 0)
	for _, srv := range s.listed(customer) {
		data = append(data, map[string]any{"id": srv.ID, "product": srv.Product, "service_status": srv.ServiceStatus})
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func detailsOf(srv *Server) map[string]any {
	var res any // null while the node is unreachable, as documented
	if !srv.NodeDown {
		res = map[string]any{
			"current_state": srv.State, "memory_bytes": srv.MemoryBytes, "cpu_absolute": srv.CPUAbsolute,
			"disk_bytes": srv.DiskBytes, "network_rx_bytes": srv.RxBytes, "network_tx_bytes": srv.TxBytes,
		}
	}
	return map[string]any{
		"id": srv.ID, "name": srv.Name, "service_status": srv.ServiceStatus,
		"limits":    map[string]any{"memory_mb": srv.MemoryMB, "disk_mb": srv.DiskMB, "cpu_percent": srv.CPUPercent},
		"resources": res,
	}
}

// power validates the signal, then changes the state; s.mu is held.
func (s *Sim) power(w http.ResponseWriter, srv *Server, fields map[string]any) {
	sig, msg := requiredString(fields, "signal")
	if msg == "" && sig != "start" && sig != "stop" && sig != "restart" && sig != "kill" {
		msg = "The selected signal is invalid."
	}
	if msg != "" {
		writeInvalid(w, "signal", msg)
		return
	}
	if srv.NodeDown {
		writeMessage(w, http.StatusServiceUnavailable, MsgNodeDown)
		return
	}
	if sig == "start" || sig == "restart" {
		srv.State = StateRunning
	} else {
		srv.State = StateOffline
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"signal": sig, "sent": true}})
}

// command validates the command and that the server runs; s.mu is held.
func (s *Sim) command(w http.ResponseWriter, srv *Server, fields map[string]any) {
	cmd, msg := requiredString(fields, "command")
	switch {
	case msg != "":
		writeInvalid(w, "command", msg)
	case srv.NodeDown:
		writeMessage(w, http.StatusServiceUnavailable, MsgNodeDown)
	case srv.State != StateRunning:
		writeMessage(w, http.StatusPreconditionFailed, MsgNotRunning)
	default:
		s.commands[srv.ID] = append(s.commands[srv.ID], cmd)
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"command": cmd, "sent": true}})
	}
}
