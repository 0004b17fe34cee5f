package contract

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/panelbot/panelbot/internal/panel"
)

// caseUnexpected2xx: a 2xx that is not what the endpoint promises — a
// maintenance page, an empty body where JSON is due, malformed JSON — is
// ErrBadResponse with a sentence for the user on every route, never
// success, and a power signal or a command is not sent again.
func caseUnexpected2xx(t *testing.T, e *env) {
	for name, a := range map[string]struct {
		ctype, body string
		reads       bool // only GETs promise JSON where an empty body is wrong
	}{
		"html page": {"text/html; charset=utf-8", "<!DOCTYPE html><html>Down for maintenance</html>", false},
		"empty":     {"application/json", "", true},
		"malformed": {"application/json", `{"data":{"sent":tr`, false},
	} {
		t.Run(name, func(t *testing.T) {
			url, posts := answering2xx(t, a.ctype, a.body)
			c := e.newClient(t, url, stdTimeout)
			f := c.Features()
			calls := map[string]func(ctx context.Context) error{
				"servers": func(ctx context.Context) error { _, err := c.Servers(ctx); return err },
			}
			if f.Has(panel.FeatureResources) {
				calls["resources"] = func(ctx context.Context) error { _, err := c.Resources(ctx, e.running); return err }
			}
			if !a.reads {
				calls["power"] = func(ctx context.Context) error { return c.Power(ctx, e.running, panel.SignalStart) }
				if f.Has(panel.FeatureCommand) {
					calls["command"] = func(ctx context.Context) error { return c.Command(ctx, e.running, "say hi") }
				}
			}
			for route, call := range calls {
				before := posts.Load()
				err := call(ctxT(t))
				requireKind(t, err, panel.ErrBadResponse)
				requireUsefulMessage(t, err, "")
				assert.LessOrEqual(t, posts.Load()-before, int32(1), "%s: a write is not resent", route)
			}
		})
	}
}

// answering2xx is a panel that answers every request 200 with ctype and
// body; posts counts the POSTs it received other than a login.
func answering2xx(t *testing.T, ctype, body string) (string, *atomic.Int32) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && !strings.Contains(r.URL.Path, "/auth/") {
			posts.Add(1)
		}
		w.Header().Set("Content-Type", ctype)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &posts
}
