package pterosim

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/panelbot/panelbot/internal/panel"
)

// Pagination of the server list, as the panel does it:
// paginate(min(per_page ?? 50, 100)).
const (
	defaultPerPage = 50
	maxPerPage     = 100
)

// list answers GET /api/client: the account's servers, paginated. A
// per_page above 100 is clamped to 100 like the panel; a missing, non-numeric
// or non-positive page or per_page falls back to 1 and 50.
func (s *Sim) list(w http.ResponseWriter, r *http.Request) {
	page := queryInt(r, "page", 1)
	per := min(queryInt(r, "per_page", defaultPerPage), maxPerPage)
	s.mu.Lock()
	s.settleLocked()
	total := len(s.servers)
	from, to := min((page-1)*per, total), min(page*per, total)
	data := make([]any, 0, to-from)
	for _, sv := range s.servers[from:to] {
		data = append(data, map[string]any{"object": "server", "attributes": s.attributesLocked(sv)})
	}
	s.mu.Unlock()
	pages := max((total+per-1)/per, 1)
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "meta": map[string]any{
		"pagination": map[string]any{"total": total, "count": len(data), "per_page": per,
			"current_page": page, "total_pages": pages, "links": s.pageLinks(page, pages, per)},
	}})
}

func queryInt(r *http.Request, name string, def int) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < 1 {
		return def
	}
	return min(n, 1<<20)
}

func (s *Sim) pageLinks(page, pages, per int) map[string]string {
	links := map[string]string{}
	if page > 1 {
		links["previous"] = fmt.Sprintf("%s/api/client?page=%d&per_page=%d", s.URL(), page-1, per)
	}
	if page < pages {
		links["next"] = fmt.Sprintf("%s/api/client?page=%d&per_page=%d", s.URL(), page+1, per)
	}
	return links
}

// account answers GET /api/client/account.
func (s *Sim) account(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{"object": "user", "attributes": map[string]any{
		"id": 1, "admin": false, "username": "panelbot", "email": "panelbot@example.com",
		"first_name": "Panel", "last_name": "Bot", "language": "en",
	}})
}

// details answers GET /api/client/servers/{server}.
func (s *Sim) details(w http.ResponseWriter, _ *http.Request, sv *server, _ []byte) {
	s.mu.Lock()
	attrs := s.attributesLocked(sv)
	perms := sv.spec.Permissions
	if perms == nil {
		perms = []string{"*"}
	}
	meta := map[string]any{"is_server_owner": sv.spec.Permissions == nil, "user_permissions": perms}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"object": "server", "attributes": attrs, "meta": meta})
}

// attributesLocked is the panel's server transformer output.
func (s *Sim) attributesLocked(sv *server) map[string]any {
	spec := sv.spec
	var status any
	if spec.Installing {
		status = "installing"
	}
	return map[string]any{
		"server_owner": spec.Permissions == nil, "identifier": spec.Identifier, "internal_id": sv.internalID,
		"uuid": spec.UUID, "name": spec.Name, "node": spec.NodeName, "is_node_under_maintenance": false,
		"sftp_details": map[string]any{"ip": "node.invalid", "port": 2022},
		"description":  spec.Description,
		"limits": map[string]any{"memory": spec.Limits.MemoryMB, "swap": 0, "disk": spec.Limits.DiskMB,
			"io": 500, "cpu": spec.Limits.CPUPercent, "threads": nil, "oom_disabled": true},
		"invocation": "java -Xms128M -jar server.jar", "docker_image": "ghcr.io/pterodactyl/yolks:java_17",
		"egg_features":   []string{"eula", "java_version"},
		"feature_limits": map[string]any{"databases": 0, "allocations": 1, "backups": 0},
		"status":         status, "is_suspended": spec.Suspended, "is_installing": spec.Installing,
		"is_transferring": false,
		"relationships": map[string]any{
			"allocations": map[string]any{"object": "list", "data": allocations(spec.Allocations)},
			"variables":   map[string]any{"object": "list", "data": []any{}},
		},
	}
}

// allocations is the allocation transformer's output for each of as.
func allocations(as []Allocation) []any {
	out := []any{}
	for i, a := range as {
		var alias any
		if a.IPAlias != "" {
			alias = a.IPAlias
		}
		out = append(out, map[string]any{"object": "allocation", "attributes": map[string]any{
			"id": i + 1, "ip": a.IP, "ip_alias": alias, "port": a.Port, "notes": nil, "is_default": a.Default,
		}})
	}
	return out
}

// resources answers GET …/resources.
func (s *Sim) resources(w http.ResponseWriter, _ *http.Request, sv *server, _ []byte) {
	s.mu.Lock()
	down := s.nodeDown
	res := sv.resources(s.now())
	s.mu.Unlock()
	if down {
		writeError(w, http.StatusGatewayTimeout, "DaemonConnectionException", detailDaemon)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "stats", "attributes": map[string]any{
		"current_state": string(res.State), "is_suspended": res.Suspended,
		"resources": map[string]any{
			"memory_bytes": res.MemoryBytes, "cpu_absolute": res.CPUPercent, "disk_bytes": res.DiskBytes,
			"network_rx_bytes": res.NetworkRxBytes, "network_tx_bytes": res.NetworkTxBytes,
			"uptime": res.Uptime.Milliseconds(),
		},
	}})
}

// permForSignal is the permission each signal needs; an unknown signal
// needs one nobody has, so a subuser gets 403 before validation, like the
// panel.
func permForSignal(sig string) string {
	switch panel.Signal(sig) {
	case panel.SignalStart:
		return "control.start"
	case panel.SignalStop, panel.SignalKill:
		return "control.stop"
	case panel.SignalRestart:
		return "control.restart"
	}
	return "--invalid"
}
