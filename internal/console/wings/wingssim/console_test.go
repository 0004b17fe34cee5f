package wingssim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSendLogsReplaysTheTailOnlyWhileRunning(t *testing.T) {
	n := New(t, WithStallTimeout(time.Minute)) // a loaded machine must not look like a stalled client
	n.SetState(uuid, "running")
	lines := make([]string, 200)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i)
	}
	n.Emit(uuid, lines...) // before the socket: in the log, never live to it
	ws := authed(t, n)
	send(t, ws, "send logs")
	for _, l := range lines[50:] {
		expect(t, ws, "console output", l)
	}
	assert.Equal(t, 150, n.ReplayedLines(uuid))
	assert.Zero(t, n.LiveLines(uuid))

	n.SetState(uuid, "offline")
	expect(t, ws, "status", "offline")
	expect(t, ws, "stats")
	send(t, ws, "send logs")
	settle(t, n, 3)
	assert.Equal(t, 150, n.ReplayedLines(uuid), "an offline server replays nothing")
}

func TestStartingFromOfflineEmptiesTheLog(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	n.Emit(uuid, "old run")
	n.SetState(uuid, "offline")
	n.SetState(uuid, "starting")
	ws := authed(t, n)
	send(t, ws, "send logs")
	settle(t, n, 2)
	assert.Zero(t, n.ReplayedLines(uuid))
}

// The replay is written by its own goroutine while the live listener
// writes too: both take the socket's write lock line by line, so the wire
// (as the node records it, in write order) mixes them. Retried because a
// scheduler may let one side win a whole round; a node that wrote the
// replay in one piece would never mix.
func TestReplayInterleavesWithLiveOutput(t *testing.T) {
	n := New(t, WithStallTimeout(time.Minute), WithStatsEvery(0))
	n.SetState(uuid, "running")
	n.Flood(uuid, 150)
	ws := authed(t, n)
	go func() { // the client keeps reading until the socket closes
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { // the game keeps writing
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				n.Emit(uuid, fmt.Sprintf("live %d", i))
			}
		}
	}()
	defer func() { close(stop); <-done }()
	for round := 1; round <= 20; round++ {
		send(t, ws, "send logs")
		n.Await("the replay", func() bool { return n.ReplayedLines(uuid) == 150*round })
		if replayMixed(n.History(uuid)[0].Sent) {
			t.Logf("mixed in round %d", round)
			return
		}
	}
	t.Fatal("replay and live output never interleaved")
}

// replayMixed reports whether a live frame lies between two lines of the
// same replay (each replay is 150 lines).
func replayMixed(frames []Frame) bool {
	replayed, liveSince := 0, false
	for _, f := range frames {
		switch {
		case f.Replay:
			if liveSince && replayed%150 != 0 {
				return true
			}
			replayed, liveSince = replayed+1, false
		case f.Event == "console output":
			liveSince = true
		}
	}
	return false
}

func TestConsoleThrottleDropsLiveButKeepsTheLog(t *testing.T) {
	for _, pelican := range []bool{false, true} {
		opts := []Option{WithStatsEvery(0), WithStallTimeout(time.Minute)}
		want := "\x1b[33m\x1b[1m[Pterodactyl Daemon]:\x1b[39m Server is outputting console data too quickly -- throttling...\x1b[0m"
		if pelican {
			opts = append(opts, WithPelican())
			want = strings.Replace(want, "Pterodactyl Daemon", "pelican Daemon", 1)
		}
		n := New(t, opts...)
		n.SetState(uuid, "running")
		ws := authed(t, n)
		n.Flood(uuid, 2500)
		for i := range 2000 {
			expect(t, ws, "console output", fmt.Sprintf("flood line %d", i))
		}
		expect(t, ws, "console output", want)
		n.Advance(100 * time.Millisecond)
		n.Emit(uuid, "after")
		expect(t, ws, "console output", "after")

		send(t, ws, "send logs") // the replay holds lines never sent live
		for i := 2351; i < 2500; i++ {
			expect(t, ws, "console output", fmt.Sprintf("flood line %d", i))
		}
		expect(t, ws, "console output", "after")
	}
}

func TestStalledSocketLosesTheOldestLine(t *testing.T) {
	sock := &socket{console: make(chan string, consoleBuffer), done: make(chan struct{})}
	for i := range consoleBuffer {
		require.False(t, sock.pushLine(fmt.Sprint(i), time.Millisecond))
	}
	assert.True(t, sock.pushLine("newest", time.Millisecond), "nobody drains the buffer")
	got := make([]string, 0, consoleBuffer)
	for range consoleBuffer {
		got = append(got, <-sock.console)
	}
	assert.Equal(t, []string{"1", "2", "3", "4", "5", "6", "7", "newest"}, got)
}

func TestStalledClientLosesLinesOnTheWire(t *testing.T) {
	n := New(t, WithStatsEvery(0), WithStallTimeout(time.Millisecond))
	n.SetState(uuid, "running")
	authed(t, n)
	big := strings.Repeat("x", 60_000)
	for i := 0; n.Dropped() == 0; i++ { // the client reads nothing: TCP fills, then the buffer
		require.Less(t, i, 5000, "nothing was ever dropped")
		n.Emit(uuid, big)
	}
}
