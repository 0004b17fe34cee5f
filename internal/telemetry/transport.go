package telemetry

import (
	"net/http"
	"strings"
)

// roundTripFunc lets a function be an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// watch passes requests to next (nil: http.DefaultTransport) and hands
// every response to seen.
func watch(next http.RoundTripper, seen func(*http.Response)) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err == nil {
			seen(resp)
		}
		return resp, err
	})
}

// DiscordTransport counts Discord's 429 answers by scope on their way to
// the session. It sits under discordgo, so the 429s discordgo retries by
// itself and those the relay waits out are counted alike.
func (m *Metrics) DiscordTransport(next http.RoundTripper) http.RoundTripper {
	return watch(next, func(resp *http.Response) {
		if resp.StatusCode == http.StatusTooManyRequests {
			m.discord429.WithLabelValues(discordScope(resp.Header)).Inc()
		}
	})
}

// discordScope reads X-RateLimit-Scope into a fixed set: Discord documents
// user, global and shared; a 429 without it (from Discord's edge) is unknown.
func discordScope(h http.Header) string {
	switch s := strings.ToLower(strings.TrimSpace(h.Get("X-RateLimit-Scope"))); s {
	case "user", "global", "shared":
		return s
	}
	if h.Get("X-RateLimit-Global") != "" {
		return "global"
	}
	return "unknown"
}

// PanelTransport counts the 429 answers of the panel configured as name.
// The clients retry some 429s by themselves, so only the transport sees
// them all.
func (m *Metrics) PanelTransport(name string, next http.RoundTripper) http.RoundTripper {
	limited := m.panel429.WithLabelValues(name) // the series exists at 0 from the start
	return watch(next, func(resp *http.Response) {
		if resp.StatusCode == http.StatusTooManyRequests {
			limited.Inc()
		}
	})
}
