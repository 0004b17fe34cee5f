package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// floodLines are what the flood tests' server writes, numbered.
const floodFormat = "flood %05d: player joined the game; saving chunks for level overworld"

// relayedLines collects the console lines of every message the bot posted
// in the relay channel, text and .log attachments alike.
func relayedLines(b *bot) map[string]int {
	seen := map[string]int{}
	for _, m := range b.dc.Messages(relayChannel) {
		if m.AuthorID != b.dc.BotUserID() {
			continue
		}
		for _, f := range m.Files {
			for _, l := range strings.Split(string(f.Data), "\n") {
				seen[l]++
			}
		}
		for _, l := range strings.Split(m.Content, "\n") {
			seen[strings.ReplaceAll(l, "\u200b", "")]++
		}
	}
	return seen
}

// TestFloodEveryLinePostedOrAttached: 20,000 lines in 5 s of the node's
// clock through the Wings client; every one reaches the channel, in a code
// block or a .log attachment, exactly once, and nothing is dropped.
func TestFloodEveryLinePostedOrAttached(t *testing.T) {
	t.Parallel()
	b, uuid := startRelayBot(t)
	gen := b.node.StreamLines(uuid, 4000, floodFormat)
	for range 50 {
		b.node.Advance(100 * time.Millisecond)
	}
	gen.Stop()
	require.Equal(t, 20_000, gen.Lines())
	require.Eventually(t, func() bool { return len(relayedLines(b)) > 20_000 }, 60*time.Second, 50*time.Millisecond,
		"the flood never fully reached the channel; logs:\n%s", b.logs)
	seen := relayedLines(b)
	for i := 1; i <= 20_000; i++ {
		require.Equal(t, 1, seen[fmt.Sprintf(floodFormat, i)], "line %d", i)
	}
	for l := range seen {
		assert.NotContains(t, l, "dropped", "nothing dropped, nothing said to be")
	}
	b.shutdown(t)
}

// TestSIGTERMDuringAFlood: the bot stops within 10 s with status 0 while
// its relay still holds a flood's backlog.
func TestSIGTERMDuringAFlood(t *testing.T) {
	t.Parallel()
	b, uuid := startRelayBot(t)
	gen := b.node.StreamLines(uuid, 4000, floodFormat)
	for range 20 {
		b.node.Advance(100 * time.Millisecond)
	}
	gen.Stop()
	require.Eventually(t, func() bool { return len(b.dc.Messages(relayChannel)) > 0 }, 10*time.Second, 5*time.Millisecond)
	start := time.Now()
	b.shutdown(t) // exit status 0: Run returns nil
	assert.Less(t, time.Since(start), 10*time.Second, "stopped within 10 s of SIGTERM")
}
