package zampto

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/testkit"
	"github.com/panelbot/panelbot/internal/panel/zampto/zamptosim"
)

// TestEveryDocumentedErrorHasAPlainMessage walks zampto's error reference,
// copied here from the document, row by row.
func TestEveryDocumentedErrorHasAPlainMessage(t *testing.T) {
	tests := []struct {
		status  int
		message string
		kind    error
		user    string // a phrase the user's sentence must hold
	}{
		{400, "Missing Authorization header", panel.ErrUnauthorized, "sent zampto no API key"},
		{400, "Invalid Authorization format. Use: Bearer <token>", panel.ErrUnauthorized, "without \"Bearer\""},
		{400, "Invalid token", panel.ErrUnauthorized, "too short"},
		{400, "Invalid token format", panel.ErrUnauthorized, "characters no key has"},
		{401, "Unauthorized: Invalid API key", panel.ErrUnauthorized, "does not exist or has been disabled"},
		{400, "Invalid JSON body", panel.ErrInvalid, "bug in the bot"},
		{400, "Server parameter is required", panel.ErrInvalid, "did not receive the server's ID"},
		{400, "Invalid server ID", panel.ErrInvalid, "server IDs are numbers"},
		{403, "Server not found, not existent, or unauthorized", panel.ErrNotFound, "belongs to another account"},
		{422, "This server has not yet been synced, please wait 10 minutes and try again", panel.ErrConflict, "Wait about 10 minutes"},
		{500, "Failed to send power signal to server", panel.ErrUnavailable, "could not pass the power signal on"},
		{500, "Internal server error", panel.ErrUnavailable, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_ = json.NewEncoder(w).Encode(map[string]any{"success": false, "message": tt.message})
			}))
			defer srv.Close()
			c := newClient(t, srv.URL, "0123456789abcdef0123", WithRetries(0, 0))
			pe := testkit.RequireKind(t, c.Power(testkit.Context(t), "1", panel.SignalRestart), tt.kind)
			assert.Equal(t, tt.status, pe.Status)
			assert.Equal(t, tt.message, pe.Detail, "the panel's text is kept for the log")
			assert.Equal(t, "power restart 1", pe.Op)
			user := panel.UserMessage(pe)
			assert.Contains(t, user, tt.user)
			assert.True(t, strings.HasSuffix(user, "."), "one plain sentence: %q", user)
		})
	}
	assert.Len(t, tests, len(errorTable()), "every row of the document is covered")
}

// TestSimulatorErrorsReachTheUser provokes through the simulator every row
// the client can cause, and checks the sentence the user gets.
func TestSimulatorErrorsReachTheUser(t *testing.T) {
	sim := newSim(t, zamptosim.WithServers(
		zamptosim.Server{ID: 1, Name: "a", UUID: "u"},
		zamptosim.Server{ID: 2, Name: "b", UUID: "v", OtherAccount: true},
		zamptosim.Server{ID: 3, Name: "c"},
	))
	good := newClient(t, sim.URL(), sim.Token(), WithRetries(0, 0))
	tests := []struct {
		name string
		call func() error
		kind error
		user string
	}{
		{"short key", func() error { _, err := newClient(t, sim.URL(), "short").Servers(testkit.Context(t)); return err },
			panel.ErrUnauthorized, "too short"},
		{"key with injection", func() error {
			_, err := newClient(t, sim.URL(), "abcdefghijklmnopqrstu'--").Servers(testkit.Context(t))
			return err
		}, panel.ErrUnauthorized, "characters no key has"},
		{"unknown key", func() error {
			_, err := newClient(t, sim.URL(), strings.Repeat("a", 40)).Servers(testkit.Context(t))
			return err
		}, panel.ErrUnauthorized, "does not exist or has been disabled"},
		{"other account", func() error { return good.Power(testkit.Context(t), "2", panel.SignalStart) }, panel.ErrNotFound, "/servers"},
		{"unknown server", func() error { return good.Power(testkit.Context(t), "404", panel.SignalStart) }, panel.ErrNotFound, "/servers"},
		{"not synced", func() error { return good.Power(testkit.Context(t), "3", panel.SignalStart) }, panel.ErrConflict, "10 minutes"},
		{"signal failed", func() error {
			sim.FailNext("/kill", 500, 1)
			return good.Power(testkit.Context(t), "1", panel.SignalKill)
		},
			panel.ErrUnavailable, "could not pass the power signal"},
		{"internal error", func() error { sim.FailNext("/list", 500, 1); _, err := good.Servers(testkit.Context(t)); return err },
			panel.ErrUnavailable, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			testkit.RequireKind(t, err, tt.kind)
			assert.Contains(t, panel.UserMessage(err), tt.user)
		})
	}
	sim.SetKeyActive(false)
	_, err := good.Servers(testkit.Context(t))
	testkit.RequireKind(t, err, panel.ErrUnauthorized)
	assert.Contains(t, panel.UserMessage(err), "disabled")
}

func TestUndocumentedErrorsFallBackByStatus(t *testing.T) {
	tests := []struct {
		status int
		body   string
		kind   error
	}{
		{400, `{"success":false,"message":"Something new"}`, panel.ErrInvalid},
		{401, `{"success":false,"message":"Key expired"}`, panel.ErrUnauthorized},
		{403, `{"success":false,"message":"Banned"}`, panel.ErrForbidden},
		{422, `{"success":false,"message":"Busy"}`, panel.ErrConflict},
		{502, `<html>Bad gateway</html>`, panel.ErrUnavailable},
		{503, ``, panel.ErrUnavailable},
		{418, `{"success":false}`, panel.ErrBadResponse},
		{400, `not json`, panel.ErrConfig},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(tt.body))
		}))
		c := newClient(t, srv.URL, "0123456789abcdef0123", WithRetries(0, 0))
		err := c.Power(testkit.Context(t), "1", panel.SignalStart)
		srv.Close()
		testkit.RequireKind(t, err, tt.kind)
	}
}

func TestLimitText(t *testing.T) {
	c := newClient(t, "", "0123456789abcdef0123", WithRateLimit(5, 10e9))
	assert.Equal(t, "5 requests per 10 seconds", c.limitText())
	c.limitN, c.limitW = 1, 60e9
	assert.Equal(t, "1 request per minute", c.limitText())
}
