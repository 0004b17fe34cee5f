package serverprism

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/testkit"
)

// TestEveryDocumentedErrorHasAPlainMessage walks ServerPrism's error table
// (and the 412 its command endpoint documents) with Laravel-shaped bodies.
func TestEveryDocumentedErrorHasAPlainMessage(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		call   string // "power", "command", "status" or "list"
		kind   error
		user   string
	}{
		{"401", 401, `{"message":"Unauthenticated."}`, "power", panel.ErrUnauthorized, "refused the bot's API token"},
		{"403 power", 403, `{"message":"Invalid ability provided."}`, "power", panel.ErrForbidden, "lacks the servers:control scope"},
		{"403 list", 403, `{"message":"Forbidden."}`, "list", panel.ErrForbidden, "lacks the servers:read scope"},
		{"403 names the scope", 403, `{"message":"Missing scope servers:read."}`, "power", panel.ErrForbidden, "lacks the servers:read scope"},
		{"404", 404, `{"message":"Server not found."}`, "status", panel.ErrNotFound, "no server 1234"},
		{"404 on the list", 404, `{"message":"Not Found"}`, "list", panel.ErrConfig, "URL"},
		{"412", 412, `{"message":"Server must be online in order to send commands."}`, "command", panel.ErrOffline, "Start it first"},
		{"422", 422, `{"message":"The signal field is required.","errors":{"signal":["The signal field is required."]}}`,
			"power", panel.ErrInvalid, "The signal field is required."},
		{"429", 429, `{"message":"Too Many Attempts."}`, "command", panel.ErrRateLimited, "20 power signals and console commands per minute"},
		{"429 read", 429, `{"message":"Too Many Attempts."}`, "status", panel.ErrRateLimited, "60 server and status requests per minute"},
		{"503", 503, `{"message":"Upstream node temporarily unavailable."}`, "power", panel.ErrUnavailable, "temporarily unavailable"},
		{"500", 500, `{"message":"Server Error"}`, "power", panel.ErrUnavailable, "not answering properly"},
		{"html", 400, `<html>nginx</html>`, "power", panel.ErrConfig, "URL"},
		{"405", 405, `{"message":"The POST method is not supported"}`, "power", panel.ErrConfig, "URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := New(srv.URL, someKey, WithRetries(0, 0))
			require.NoError(t, err)
			err = call(t, c, tt.call)
			pe := testkit.RequireKind(t, err, tt.kind)
			assert.Equal(t, tt.status, pe.Status)
			user := panel.UserMessage(err)
			assert.Contains(t, user, tt.user)
			assert.True(t, strings.HasSuffix(user, "."), "one sentence: %q", user)
		})
	}
}

func call(t *testing.T, c *Client, what string) error {
	switch what {
	case "power":
		return c.Power(testkit.Context(t), "1234", panel.SignalRestart)
	case "command":
		return c.Command(testkit.Context(t), "1234", "say hi")
	case "status":
		_, err := c.Resources(testkit.Context(t), "1234")
		return err
	default:
		_, err := c.Servers(testkit.Context(t))
		return err
	}
}

func TestSentFalseIsNotSuccess(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"data":{"signal":"start","sent":false}}`))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, someKey)
	err := c.Power(testkit.Context(t), "1", panel.SignalStart)
	testkit.RequireKind(t, err, panel.ErrUnavailable)
	assert.Contains(t, panel.UserMessage(err), "did not pass it on")
}
