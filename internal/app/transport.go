package app

import (
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// apiTransport sends discordgo's REST calls to the configured API base.
// discordgo builds every URL from package-level endpoint variables; changing
// those would affect every session in the process (and race in parallel
// tests), so each session gets its own transport that rewrites the prefix
// instead. The gateway address comes from GET /gateway through this same
// transport, so the websocket follows whatever that API answers.
type apiTransport struct {
	from string // discordgo.EndpointAPI, "https://discord.com/api/v9/"
	to   string // the configured base with a trailing slash
	next http.RoundTripper
}

func newAPITransport(base string, next http.RoundTripper) *apiTransport {
	if next == nil {
		next = http.DefaultTransport
	}
	return &apiTransport{from: discordgo.EndpointAPI, to: strings.TrimRight(base, "/") + "/", next: next}
}

// RoundTrip rewrites the URL of requests aimed at Discord's API base and
// passes everything else through untouched.
func (t *apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := req.URL.String()
	if !strings.HasPrefix(u, t.from) {
		return t.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	target, err := out.URL.Parse(t.to + strings.TrimPrefix(u, t.from))
	if err != nil {
		return nil, err
	}
	out.URL, out.Host = target, target.Host
	return t.next.RoundTrip(out)
}
