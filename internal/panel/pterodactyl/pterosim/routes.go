package pterosim

import (
	"net/http"
	"slices"
	"strings"

	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// serverAction is a route under /api/client/servers/{server}.
type serverAction struct {
	method string
	serve  func(s *Sim, w http.ResponseWriter, r *http.Request, sv *server, body []byte)
}

// serverActions maps the last path segment ("" for the details) to its route.
func serverActions(name string) (serverAction, bool) {
	switch name {
	case "":
		return serverAction{http.MethodGet, (*Sim).details}, true
	case "resources":
		return serverAction{http.MethodGet, (*Sim).resources}, true
	case "websocket":
		return serverAction{http.MethodGet, (*Sim).websocket}, true
	case "power":
		return serverAction{http.MethodPost, (*Sim).power}, true
	case "command":
		return serverAction{http.MethodPost, (*Sim).command}, true
	}
	return serverAction{}, false
}

// route dispatches like the panel's router: an unknown path is 404, a known
// one with the wrong method 405.
func (s *Sim) route(w http.ResponseWriter, r *http.Request, body []byte) {
	rest, isClient := strings.CutPrefix(r.URL.Path, "/api/client")
	// Laravel ignores a trailing slash when matching routes.
	rest = strings.TrimRight(rest, "/")
	switch {
	case !isClient || (rest != "" && rest[0] != '/'):
		routeNotFound(w, r)
	case rest == "":
		s.only(w, r, http.MethodGet, func() { s.list(w, r) })
	case rest == "/account":
		s.only(w, r, http.MethodGet, func() { s.account(w) })
	case strings.HasPrefix(rest, "/servers/"):
		s.serverRoute(w, r, strings.TrimPrefix(rest, "/servers/"), body)
	default:
		routeNotFound(w, r)
	}
}

func (s *Sim) only(w http.ResponseWriter, r *http.Request, method string, fn func()) {
	if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
		methodNotAllowed(w, r, method)
		return
	}
	fn()
}

// serverRoute runs the panel's server middleware (the server exists, is
// not suspended or installing) and the route's permission check.
func (s *Sim) serverRoute(w http.ResponseWriter, r *http.Request, rest string, body []byte) {
	id, name, _ := strings.Cut(rest, "/")
	act, ok := serverActions(name)
	if !ok || id == "" || strings.Contains(name, "/") {
		routeNotFound(w, r)
		return
	}
	s.only(w, r, act.method, func() {
		sv, ok := s.admit(w, id, name)
		if ok {
			act.serve(s, w, r, sv, body)
		}
	})
}

// admit finds the server and refuses it while suspended or installing,
// except for the details, which the panel always shows.
func (s *Sim) admit(w http.ResponseWriter, id, route string) (*server, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	sv := s.lookupLocked(id)
	if sv == nil {
		writeError(w, http.StatusNotFound, "NotFoundHttpException", detailNotFound)
		return nil, false
	}
	if route == "" {
		return sv, true
	}
	if detail := conflictDetail(sv.spec); detail != "" {
		writeError(w, http.StatusConflict, "ServerStateConflictException", detail)
		return nil, false
	}
	return sv, true
}

func conflictDetail(spec ServerSpec) string {
	switch {
	case spec.Suspended:
		return "This server is currently suspended and the functionality requested is unavailable."
	case spec.Installing:
		return "This server has not yet completed its installation process, please try again later."
	}
	return ""
}

// allowedLocked tells whether the account holds a permission on the server.
func allowedLocked(sv *server, perm string) bool {
	return sv.spec.Permissions == nil || slices.Contains(sv.spec.Permissions, perm)
}

func routeNotFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "NotFoundHttpException",
		simkit.LaravelRouteNotFound(r.URL.Path))
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allowed string) {
	if allowed == http.MethodGet {
		allowed = "GET, HEAD"
	}
	w.Header().Set("Allow", allowed)
	writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowedHttpException",
		simkit.LaravelMethodNotAllowed(r.Method, r.URL.Path, allowed))
}
