package fakediscord

import (
	"encoding/json"
	"net/http"
)

// apiError is Discord's error body: {"message": ..., "code": ...} plus, for
// form errors (code 50035), a tree of field errors.
type apiError struct {
	Message string         `json:"message"`
	Code    int            `json:"code"`
	Errors  map[string]any `json:"errors,omitempty"`
}

// reply is what a REST handler answers; the funnel adds headers and records.
type reply struct {
	status int
	body   any // nil means no body (204)
	header http.Header
}

func errReply(status, code int, msg string) reply {
	return reply{status: status, body: apiError{Message: msg, Code: code}}
}

// Discord's error answers used by more than one route.
var (
	errUnauthorized   = errReply(http.StatusUnauthorized, 0, "401: Unauthorized")
	errNotFound       = errReply(http.StatusNotFound, 0, "404: Not Found")
	errMethod         = errReply(http.StatusMethodNotAllowed, 0, "405: Method Not Allowed")
	errBadJSON        = errReply(http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
	errEmptyMessage   = errReply(http.StatusBadRequest, 50006, "Cannot send an empty message")
	errTooLarge       = errReply(http.StatusRequestEntityTooLarge, 40005, "Request entity too large")
	errMissingAccess  = errReply(http.StatusForbidden, 50001, "Missing Access")
	errUnknownChannel = errReply(http.StatusNotFound, 10003, "Unknown Channel")
	errUnknownMessage = errReply(http.StatusNotFound, 10008, "Unknown Message")
	errUnknownWebhook = errReply(http.StatusNotFound, 10015, "Unknown Webhook")
	errWebhookToken   = errReply(http.StatusUnauthorized, 50027, "Invalid Webhook Token")
	errUnknownInter   = errReply(http.StatusNotFound, 10062, "Unknown interaction")
	errAlreadyAcked   = errReply(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	errNotAuthor      = errReply(http.StatusForbidden, 50005, "Cannot edit a message authored by another user")
)

// fieldErr is one entry of a form error: where, Discord's code, its text.
type fieldErr struct {
	path []string
	code string
	msg  string
}

// checker collects field errors so one answer names every bad field, as
// Discord's does.
type checker struct{ errs []fieldErr }

func (k *checker) add(path []string, code, msg string) {
	p := append([]string(nil), path...)
	k.errs = append(k.errs, fieldErr{path: p, code: code, msg: msg})
}

func (k *checker) ok() bool { return len(k.errs) == 0 }

// reply renders the collected errors as 400 Invalid Form Body with the
// nested {"a":{"0":{"b":{"_errors":[...]}}}} tree Discord uses.
func (k *checker) reply() reply {
	tree := map[string]any{}
	for _, e := range k.errs {
		node := tree
		for _, p := range e.path {
			next, ok := node[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[p] = next
			}
			node = next
		}
		list, _ := node["_errors"].([]any)
		node["_errors"] = append(list, map[string]any{"code": e.code, "message": e.msg})
	}
	return reply{status: http.StatusBadRequest, body: apiError{Message: "Invalid Form Body", Code: 50035, Errors: tree}}
}

// sub builds a child path without aliasing the parent's backing array.
func sub(path []string, more ...string) []string {
	out := make([]string, 0, len(path)+len(more))
	return append(append(out, path...), more...)
}

// writeJSON sends a reply; marshalling our own values cannot fail, and a
// failed write means the client went away, which the client will notice.
func writeJSON(w http.ResponseWriter, r reply) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	if r.body == nil {
		w.WriteHeader(r.status)
		return
	}
	b, err := json.Marshal(r.body)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.status)
	_, _ = w.Write(b)
}
