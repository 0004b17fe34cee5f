package console_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/fakediscord"
)

// Simulations: a real discordgo.Session against the fake Discord, served
// in process (no socket) inside a testing/synctest bubble, so minutes of
// Discord's rate limits pass in a moment of CPU. They assert the figures
// the relay promises and log them (go test -v -run TestSim).

var simGlobal = flag.Duration("relay.simglobal", 30*time.Second, "TestSimGlobalPace: how long 50 channels flood (3m for the full figure)")

// simSession is a discordgo session whose requests reach s in process.
func simSession(t *testing.T, s *fakediscord.Server) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot " + s.Token())
	require.NoError(t, err)
	dg.Client = &http.Client{Transport: s.Transport(), Timeout: wait}
	dg.MaxRestRetries = 0
	return dg
}

// simRelay starts a relay into ch and returns its source and a stop that
// ends it and waits until the hub has drained.
func simRelay(t testing.TB, hub *console.Hub, ch string) (*source, func()) {
	src := &source{in: make(chan console.Event, 4096)}
	relay, err := hub.NewRelay(ch, src)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- relay.Run(context.Background()) }()
	return src, func() { close(src.in); require.NoError(t, <-done) }
}

// feed sends n lines at rate per second, in bubble time, numbered from 0
// and 40 to 100 characters long (about 70 on average).
func feed(src *source, n, rate int, tag string) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	for sent := 0; sent < n; {
		<-tick.C
		due := min(n, int(time.Since(start).Seconds()*float64(rate)))
		for ; sent < due; sent++ {
			src.in <- console.Event{Kind: console.KindLine, Text: simLine(tag, sent)}
		}
	}
}

func simLine(tag string, i int) string {
	head := fmt.Sprintf("%s#%06d [12:00:00 INFO]: ", tag, i)
	return head + strings.Repeat("x", max(0, 40+(i*7919)%61-len(head)))
}

// totals sums the channels' counters.
func totals(hub *console.Hub, channels ...string) console.Stats {
	var st console.Stats
	for _, ch := range channels {
		st = st.Add(hub.Stats(ch))
	}
	return st
}

// settled waits, in bubble time (or real time outside a bubble), until the channels hold nothing.
func settled(hub *console.Hub, channels ...string) {
	for {
		left := 0
		for _, ch := range channels {
			st := hub.Stats(ch)
			left += st.Pending + st.OnDisk
		}
		if left == 0 {
			return
		}
		<-time.After(100 * time.Millisecond) // the synctest bubble's fake time: costs nothing
	}
}

// TestSimSaturation floods one channel at about ten times what its
// 5-per-5-s bucket carries and checks the share of the character budget
// shown as text in the first 10 s.
func TestSimSaturation(t *testing.T) {
	s := fakediscord.New(t, fakediscord.WithChannel(guild, channel))
	synctest.Test(t, func(t *testing.T) {
		hub, err := console.NewHub(simSession(t, s), console.WithDataDir(t.TempDir()))
		require.NoError(t, err)
		src, stop := simRelay(t, hub, channel)
		t0 := time.Now()
		const rate, n = 300, 3000 // 10 s of about 21,000 characters a second
		feed(src, n, rate, "s")
		settled(hub, channel)
		stop()
		hub.Wait()
		msgs := botMessages(s)
		code := 0
		for _, m := range msgs {
			if m.Time.Before(t0.Add(10 * time.Second)) {
				code += codeChars(m.Content)
			}
		}
		st := hub.Stats(channel)
		pct := 100 * float64(code) / (10 * 2000)
		t.Logf("saturation: %d lines at %d/s; first 10 s: %d code chars = %.1f%% of 10 x 2000; %d messages, %d attachments; posted %d, attached %d, dropped %d; %d 429s (%d global)",
			n, rate, code, pct, len(msgs), st.Attachments, st.Posted, st.Folded, st.Dropped, s.RateLimited(), s.GlobalRateLimited())
		assert.GreaterOrEqual(t, pct, 90.0)
		assert.Equal(t, n, st.Posted+st.Folded, "every line posted or attached")
		assert.LessOrEqual(t, s.RateLimited(), 2)
		checkOrder(t, msgs, "s", n)
	})
}

// checkOrder checks that the channel shows lines 0..n-1 once each, in order.
func checkOrder(t *testing.T, msgs []fakediscord.Message, tag string, n int) {
	t.Helper()
	lines, _ := shown(t, msgs)
	require.Len(t, lines, n)
	for i, l := range lines {
		require.True(t, strings.HasPrefix(l, fmt.Sprintf("%s#%06d ", tag, i)), "line %d is %.30q", i, l)
	}
}

// TestSimFlood20000 sends 20,000 lines in 5 s: with a spill directory,
// every one is posted or attached and none dropped.
func TestSimFlood20000(t *testing.T) {
	s := fakediscord.New(t, fakediscord.WithChannel(guild, channel))
	synctest.Test(t, func(t *testing.T) {
		hub, err := console.NewHub(simSession(t, s), console.WithDataDir(t.TempDir()))
		require.NoError(t, err)
		src, stop := simRelay(t, hub, channel)
		const n = 20_000
		t0 := time.Now()
		feed(src, n, n/5, "f")
		settled(hub, channel)
		took := time.Since(t0)
		stop()
		hub.Wait()
		st := hub.Stats(channel)
		msgs := botMessages(s)
		t.Logf("flood: %d lines in 5 s: posted %d, attached %d, dropped %d, spilled %d; %d messages, %d attachments, all out after %s; %d 429s",
			n, st.Posted, st.Folded, st.Dropped, st.Spilled, len(msgs), st.Attachments, took.Round(time.Millisecond), s.RateLimited())
		assert.Zero(t, st.Dropped)
		assert.Equal(t, n, st.Posted+st.Folded)
		checkOrder(t, msgs, "f", n)
	})
}

// TestSimGlobalPace runs 50 channels at 20 lines a second each against
// Discord's global 50 requests per second.
func TestSimGlobalPace(t *testing.T) {
	const channels, rate = 50, 20
	opts := []fakediscord.Option{}
	var ids []string
	for i := range channels {
		id := fmt.Sprintf("9100000000000000%02d", i)
		ids = append(ids, id)
		opts = append(opts, fakediscord.WithChannel(guild, id))
	}
	s := fakediscord.New(t, opts...)
	dur := *simGlobal
	synctest.Test(t, func(t *testing.T) {
		hub, err := console.NewHub(simSession(t, s), console.WithDataDir(t.TempDir()))
		require.NoError(t, err)
		var wg sync.WaitGroup
		stops := make([]func(), channels)
		for i, id := range ids {
			src, stop := simRelay(t, hub, id)
			stops[i] = stop
			wg.Go(func() { feed(src, rate*int(dur/time.Second), rate, "g") })
		}
		wg.Wait()
		settled(hub, ids...)
		for _, stop := range stops {
			stop()
		}
		hub.Wait()
		total := totals(hub, ids...)
		sent := channels * rate * int(dur/time.Second)
		t.Logf("global: %d channels x %d lines/s x %s: %d lines; posted %d, attached %d, dropped %d; %d messages; %d 429s (%d global)",
			channels, rate, dur, sent, total.Posted, total.Folded, total.Dropped, total.Messages, s.RateLimited(), s.GlobalRateLimited())
		assert.LessOrEqual(t, s.RateLimited(), 5)
		assert.Equal(t, sent, total.Posted+total.Folded, "every line posted or attached")
	})
}

// TestSimShutdownDuringFlood stops the relay in the middle of a flood of
// 4,000 lines a second, as SIGTERM does: the hub must be drained within
// 10 s, whatever the rate limits, and everything accounted for.
func TestSimShutdownDuringFlood(t *testing.T) {
	s := fakediscord.New(t, fakediscord.WithChannel(guild, channel))
	synctest.Test(t, func(t *testing.T) {
		hub, err := console.NewHub(simSession(t, s), console.WithDataDir(t.TempDir()))
		require.NoError(t, err)
		src, stop := simRelay(t, hub, channel)
		feed(src, 12_000, 4000, "d") // 3 s
		t0 := time.Now()
		stop()
		hub.Wait()
		took := time.Since(t0)
		st := hub.Stats(channel)
		t.Logf("shutdown during a flood: drained in %s; posted %d, attached %d, dropped %d (logged), unconfirmed %d",
			took.Round(time.Millisecond), st.Posted, st.Folded, st.Dropped, st.Unconfirmed)
		assert.Less(t, took, 10*time.Second)
		assert.Equal(t, st.Lines, st.Accounted())
		assert.Zero(t, st.Pending+st.OnDisk)
	})
}
