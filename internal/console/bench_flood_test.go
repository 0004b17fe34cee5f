package console_test

import (
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/fakediscord"
)

var globalDur = flag.Duration("relay.globaldur", 3*time.Minute, "BenchmarkRelayGlobal50: console time 50 channels flood for")

// BenchmarkRelayFlood20000 sends 20,000 lines of about 100 characters in
// 5 s of console time into one channel with a spill directory, over real
// HTTP with clocks running relay.scale times faster, and reports what
// became of them.
//
//	go test -run '^$' -bench BenchmarkRelayFlood20000 -benchtime 1x ./internal/console/
func BenchmarkRelayFlood20000(b *testing.B) {
	for range b.N {
		clk := &scaledClock{base: time.Now(), real0: time.Now(), k: *satScale}
		s := fakediscord.New(b, fakediscord.WithChannel(guild, channel), fakediscord.WithClock(clk))
		hub, err := console.NewHub(session(b, s, rewrite{scale: *satScale}), console.WithClock(clk),
			console.WithDataDir(b.TempDir()), console.WithDrainTimeout(30*time.Second))
		require.NoError(b, err)
		src, stop := simRelay(b, hub, channel)
		sent := flood(src, clk, 4000, 5*time.Second)
		settled(hub, channel)
		stop()
		hub.Wait()
		st := hub.Stats(channel)
		b.ReportMetric(float64(st.Dropped), "dropped")
		b.ReportMetric(100*float64(st.Posted+st.Folded)/float64(sent), "%posted-or-attached")
		b.ReportMetric(float64(s.RateLimited()), "429s")
		b.Logf("%d lines in 5 s: posted %d, attached %d, spilled %d, dropped %d; %d messages, %d attachments; %d 429s",
			sent, st.Posted, st.Folded, st.Spilled, st.Dropped, st.Messages, st.Attachments, s.RateLimited())
	}
}

// BenchmarkRelayGlobal50 runs 50 channels at 20 lines a second each for
// relay.globaldur of console time against the fake's global 50 requests
// per second, over real HTTP with clocks running relay.scale times faster.
//
//	go test -run '^$' -bench BenchmarkRelayGlobal50 -benchtime 1x ./internal/console/ -args -relay.globaldur 3m
func BenchmarkRelayGlobal50(b *testing.B) {
	const channels, rate = 50, 20
	for range b.N {
		clk := &scaledClock{base: time.Now(), real0: time.Now(), k: *satScale}
		opts := []fakediscord.Option{fakediscord.WithClock(clk)}
		var ids []string
		for i := range channels {
			ids = append(ids, fmt.Sprintf("9100000000000000%02d", i))
			opts = append(opts, fakediscord.WithChannel(guild, ids[i]))
		}
		s := fakediscord.New(b, opts...)
		hub, err := console.NewHub(session(b, s, rewrite{scale: *satScale}), console.WithClock(clk),
			console.WithDataDir(b.TempDir()), console.WithDrainTimeout(30*time.Second))
		require.NoError(b, err)
		var wg sync.WaitGroup
		var total sync.Mutex
		sent := 0
		stops := make([]func(), channels)
		for i, id := range ids {
			src, stop := simRelay(b, hub, id)
			stops[i] = stop
			wg.Go(func() {
				n := flood(src, clk, rate, *globalDur)
				total.Lock()
				sent += n
				total.Unlock()
			})
		}
		wg.Wait()
		settled(hub, ids...)
		for _, stop := range stops {
			stop()
		}
		hub.Wait()
		st := totals(hub, ids...)
		b.ReportMetric(float64(s.RateLimited()), "429s")
		b.ReportMetric(100*float64(st.Posted+st.Folded)/float64(sent), "%posted-or-attached")
		b.Logf("%d channels x %d lines/s x %s: %d lines; posted %d, attached %d, dropped %d; %d messages; %d 429s (%d global)",
			channels, rate, *globalDur, sent, st.Posted, st.Folded, st.Dropped, st.Messages, s.RateLimited(), s.GlobalRateLimited())
	}
}
