package pterosim

import (
	"net/http"
	"strconv"

	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	simkit.WriteJSON(w, "application/json", status, v)
}

// apiError is one entry of the panel's error envelope.
type apiError struct {
	Code   string         `json:"code"`
	Status string         `json:"status"`
	Detail string         `json:"detail"`
	Meta   map[string]any `json:"meta,omitempty"`
}

// writeError answers {"errors":[{"code","status","detail"}]}, the panel's
// envelope, with the exception's short class name as the code.
func writeError(w http.ResponseWriter, status int, code, detail string) {
	writeJSON(w, status, map[string][]apiError{"errors": {{Code: code, Status: strconv.Itoa(status), Detail: detail}}})
}

// writeValidation answers a 422 the way the panel renders a validation
// failure: one entry per failed rule, naming the field and the rule.
func writeValidation(w http.ResponseWriter, field, rule, detail string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string][]apiError{"errors": {{
		Code: "ValidationException", Status: "422", Detail: detail,
		Meta: map[string]any{"source_field": field, "rule": rule},
	}}})
}

func writeHTML(w http.ResponseWriter, status int, page string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(page))
}

// Pages the panel (Laravel, Symfony) serves as HTML.
const (
	serverErrorPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Server Error</title></head>
<body><div class="flex-center"><div class="code">500</div><div class="message">Server Error</div></div></body>
</html>
`
	notFoundPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Not Found</title></head>
<body><div class="flex-center"><div class="code">404</div><div class="message">Not Found</div></div></body>
</html>
`
	redirectPage = `<!DOCTYPE html>
<html>
    <head>
        <meta charset="UTF-8" />
        <meta http-equiv="refresh" content="0;url='%URL%'" />
        <title>Redirecting to %URL%</title>
    </head>
    <body>
        Redirecting to <a href="%URL%">%URL%</a>.
    </body>
</html>`
)
