package console_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/fakediscord"
)

// quickRetry keeps the outage tests short in real time.
var quickRetry = console.WithBackoff(backoff.Policy{Base: 20 * time.Millisecond, Max: 100 * time.Millisecond})

// A 502 ("no gateway was available to process your request") and a
// refused connection never reached Discord: the message is sent again
// after a pause, with its lines, in order, and nothing is reported missing.
func TestOutagesAreRetriedAndLoseNothing(t *testing.T) {
	for name, outage := range map[string]func(t *testing.T, s *fakediscord.Server) (end func()){
		"502": func(t *testing.T, s *fakediscord.Server) func() {
			s.BadGatewayUntil(time.Now().Add(time.Hour))
			return func() { s.BadGatewayUntil(time.Time{}) }
		},
		"connection refused": func(t *testing.T, s *fakediscord.Server) func() {
			s.RefuseConnections()
			return func() { require.NoError(t, s.AcceptConnections()) }
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := fakediscord.New(t, fakediscord.WithChannel(guild, channel))
			dg := session(t, s, rewrite{})
			// A kept-alive connection cut by the outage would fail as a
			// reset, which is ambiguous; a fresh one is refused.
			dg.Client.Transport = rewrite{base: s.APIBase(), next: &http.Transport{DisableKeepAlives: true}}
			hub, err := console.NewHub(dg, console.WithLinger(0), quickRetry)
			require.NoError(t, err)
			_, src, stop := run(t, hub)
			end := outage(t, s)
			for i := range 30 {
				src.in <- console.Event{Kind: console.KindLine, Text: fmt.Sprintf("line %02d", i)}
			}
			require.Eventually(t, func() bool { return hub.Stats(channel).Retried >= 3 }, wait, 5*time.Millisecond)
			assert.Zero(t, hub.Stats(channel).Posted, "nothing got through the outage")
			end()
			posted(t, hub, 30)
			stop()
			lines, text := shown(t, botMessages(s))
			require.Len(t, lines, 30)
			for i, l := range lines {
				assert.Equal(t, fmt.Sprintf("line %02d", i), l)
			}
			assert.Empty(t, text, "nothing to report missing")
			st := hub.Stats(channel)
			assert.Zero(t, st.Unconfirmed+st.Failed+st.Dropped)
			assert.Equal(t, st.Lines, st.Accounted())
		})
	}
}

// A request that timed out after it was sent may have been posted: it is
// not sent again, and the channel is told lines may be missing.
func TestTimeoutAfterSendingMayBeMissing(t *testing.T) {
	s := fakediscord.New(t, fakediscord.WithChannel(guild, channel))
	first := true
	rt := rewrite{after: func(resp *http.Response) (*http.Response, error) {
		if resp.Request.Method != http.MethodPost || !first {
			return resp, nil
		}
		first = false // only the sender's goroutine posts
		resp.Body.Close()
		<-resp.Request.Context().Done() // Discord created it, the answer is late
		return nil, resp.Request.Context().Err()
	}}
	hub, err := console.NewHub(session(t, s, rt), console.WithLinger(0), console.WithPostTimeout(100*time.Millisecond))
	require.NoError(t, err)
	_, src, stop := run(t, hub)
	src.in <- console.Event{Kind: console.KindLine, Text: "first"}
	require.Eventually(t, func() bool { return hub.Stats(channel).Unconfirmed == 1 }, wait, 5*time.Millisecond)
	src.in <- console.Event{Kind: console.KindLine, Text: "second"}
	posted(t, hub, 1)
	stop()
	lines, text := shown(t, botMessages(s))
	assert.Equal(t, []string{"first", "second"}, lines, "first was created once and never re-sent")
	assert.Equal(t, []string{"⚠ 1 console lines may be missing: Discord did not confirm the message that held them"}, text)
	assert.Zero(t, hub.Stats(channel).Retried)
}
