package console_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/console/wings"
	"github.com/panelbot/panelbot/internal/console/wings/wingssim"
	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/panel"
)

// Benchmarks through the real Wings client against the concurrent node
// simulator on the real clock, and the fake Discord.
var (
	wingsServers  = flag.Int("wings.servers", 100, "memory benchmark: relayed servers, one channel each")
	wingsRate     = flag.Int("wings.rate", 200, "memory benchmark: console lines per second per server")
	wingsDuration = flag.Duration("wings.duration", 10*time.Minute, "memory benchmark: how long to stream")
	wingsLatRate  = flag.Int("wings.latrate", 1, "latency benchmark: console lines per second")
	wingsLatFor   = flag.Duration("wings.latfor", time.Minute, "latency benchmark: how long to stream")
	wingsG50For   = flag.Duration("wings.g50for", 3*time.Minute, "global-limit benchmark: how long to stream")
)

// simCreds hands out the simulated node's tokens, as the panel's
// /websocket endpoint would.
type simCreds struct{ node *wingssim.Node }

func (c simCreds) SocketCredentials(_ context.Context, id string) (panel.SocketCredentials, error) {
	tok, sock, err := c.node.Credentials(id)
	return panel.SocketCredentials{URL: sock, Token: tok}, err
}

func serverUUID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }
func channelN(i int) string   { return fmt.Sprintf("9%017d", i) }

// channelIDs are the first n benchmark channels.
func channelIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = channelN(i)
	}
	return ids
}

// startWingsRelays connects one Wings stream and relay per server.
func startWingsRelays(b *testing.B, node *wingssim.Node, hub *console.Hub, n int) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range n {
		src, err := wings.New(simCreds{node}, serverUUID(i), node.Origin(), wings.WithLogger(slog.New(slog.DiscardHandler)))
		require.NoError(b, err)
		r, err := hub.NewRelay(channelN(i), src)
		require.NoError(b, err)
		wg.Go(func() { _ = r.Run(ctx) })
	}
	return func() { cancel(); wg.Wait(); hub.Wait() }
}

// BenchmarkWingsRelayLatency streams a server that is already writing when
// the relay first connects, under the channel's budget, and reports how
// long each line took from the node's console to the request leaving for
// Discord, the first lines after connecting included.
//
//	go test -run '^$' -bench WingsRelayLatency -benchtime 1x ./internal/console/
func BenchmarkWingsRelayLatency(b *testing.B) {
	for range b.N {
		node := wingssim.New(b, wingssim.WithClock(clock.Real{}))
		s := fakediscord.New(b, fakediscord.WithChannel(guild, channelN(0)))
		var mu sync.Mutex
		var lat []time.Duration
		var genStart time.Time
		rate := *wingsLatRate
		rt := rewrite{sent: func(r *http.Request) {
			now := time.Now()
			for _, i := range lineNumbers(r) {
				due := genStart.Add(time.Duration(i) * time.Second / time.Duration(rate))
				mu.Lock()
				lat = append(lat, now.Sub(due))
				mu.Unlock()
			}
		}}
		hub, err := console.NewHub(session(b, s, rt))
		require.NoError(b, err)
		node.SetState(serverUUID(0), "running")
		genStart = time.Now()
		gen := node.StreamLines(serverUUID(0), rate, "lat %d")
		stop := startWingsRelays(b, node, hub, 1)
		<-time.After(*wingsLatFor)
		gen.Stop()
		<-time.After(2 * time.Second) // the last lines' posts
		stop()
		mu.Lock()
		slices.Sort(lat)
		require.NotEmpty(b, lat)
		p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
		b.ReportMetric(float64(p(0.5).Microseconds())/1000, "ms-p50")
		b.ReportMetric(float64(p(0.99).Microseconds())/1000, "ms-p99")
		b.Logf("%d of %d lines at %d/s through Wings: p50 %s, p99 %s, max %s", len(lat), gen.Lines(), rate, p(0.5), p(0.99), lat[len(lat)-1])
		mu.Unlock()
	}
}

// lineNumbers reads the "lat <i>" lines of a request's content.
func lineNumbers(r *http.Request) []int {
	var out []int
	for _, l := range requestLines(r) {
		var i int
		if _, err := fmt.Sscanf(l, "lat %d", &i); err == nil {
			out = append(out, i)
		}
	}
	return out
}

// BenchmarkWingsRelayMemory streams many busy servers through the Wings
// client into one channel each and samples the process's memory (node
// simulator and fake Discord included, so the bot's own share is less).
//
//	go test -run '^$' -bench WingsRelayMemory -benchtime 1x -timeout 30m ./internal/console/
func BenchmarkWingsRelayMemory(b *testing.B) {
	for range b.N {
		node := wingssim.New(b, wingssim.WithClock(clock.Real{}), wingssim.WithoutFrameLog())
		opts := []fakediscord.Option{fakediscord.WithoutBodies()}
		for i := range *wingsServers {
			opts = append(opts, fakediscord.WithChannel(guild, channelN(i)))
			node.SetState(serverUUID(i), "running")
		}
		s := fakediscord.New(b, opts...)
		hub, err := console.NewHub(session(b, s, rewrite{}), console.WithDataDir(b.TempDir()))
		require.NoError(b, err)
		var gens []*wingssim.Stream
		for i := range *wingsServers {
			gens = append(gens, node.StreamLines(serverUUID(i), *wingsRate, "player %d joined the game; saved chunks for level overworld, tick took 12 ms"))
		}
		stop := startWingsRelays(b, node, hub, *wingsServers)
		sample := time.NewTicker(30 * time.Second)
		end := time.After(*wingsDuration)
		start := time.Now()
	loop:
		for {
			select {
			case <-sample.C:
				rss, hwm := memory()
				// To standard error: a benchmark's log keeps only its first lines.
				fmt.Fprintf(os.Stderr, "t=%3.0fs rss %.1f MB peak %.1f MB\n", time.Since(start).Seconds(), rss, hwm)
			case <-end:
				break loop
			}
		}
		sample.Stop()
		written := 0
		for _, g := range gens {
			g.Stop()
			written += g.Lines()
		}
		stop()
		st := totals(hub, channelIDs(*wingsServers)...)
		_, hwm := memory()
		b.ReportMetric(hwm, "MB-peak-rss")
		b.Logf("written %d, relayed %d: posted %d, folded %d, dropped %d, unconfirmed %d, failed %d; node dropped %d; peak RSS %.1f MB",
			written, st.Lines, st.Posted, st.Folded, st.Dropped, st.Unconfirmed, st.Failed, node.Dropped(), hwm)
		b.Logf("accounted %d of %d lines (spilled to disk at some point: %d)", st.Accounted(), st.Lines, st.Spilled)
	}
}

// memory reads the process's resident set and its peak, in MB.
func memory() (rss, peak float64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			peak = kb / 1024
		}
	}
	return rss, peak
}

// BenchmarkWingsRelaySaturation floods one server's console at about ten
// times what its channel carries, through the Wings client, and reports the
// share of the channel's character budget carried as text (in the first
// 10 s too), the lines accounted for and the 429s.
//
//	go test -run '^$' -bench WingsRelaySaturation -benchtime 1x ./internal/console/ -args -relay.sat 30s
func BenchmarkWingsRelaySaturation(b *testing.B) {
	for range b.N {
		node := wingssim.New(b, wingssim.WithClock(clock.Real{}))
		s := fakediscord.New(b, fakediscord.WithChannel(guild, channel))
		hub, err := console.NewHub(session(b, s, rewrite{}), console.WithDataDir(b.TempDir()))
		require.NoError(b, err)
		id := serverUUID(0)
		node.SetState(id, "running")
		ctx, cancel := context.WithCancel(context.Background())
		src, err := wings.New(simCreds{node}, id, node.Origin(), wings.WithLogger(slog.New(slog.DiscardHandler)))
		require.NoError(b, err)
		r, err := hub.NewRelay(channel, src)
		require.NoError(b, err)
		done := make(chan struct{})
		go func() { defer close(done); _ = r.Run(ctx) }()
		start := time.Now()
		gen := node.StreamLines(id, *satRate, "#%06d "+strings.Repeat("saturating the channel ", 4))
		<-time.After(*satDuration)
		gen.Stop()
		end := time.Now()
		<-time.After(10 * time.Second) // the backlog's last posts
		cancel()
		<-done
		hub.Wait()
		report(b, s, hub, gen.Lines(), start, end)
	}
}

// BenchmarkWingsRelayGlobal50 streams 50 servers at 20 lines a second each
// through the Wings client into 50 channels, against the fake Discord's
// global 50 requests/s, and reports the 429s met and the lines accounted.
//
//	go test -run '^$' -bench WingsRelayGlobal50 -benchtime 1x -timeout 20m ./internal/console/ -args -wings.g50for 3m
func BenchmarkWingsRelayGlobal50(b *testing.B) {
	const servers, rate = 50, 20
	for range b.N {
		node := wingssim.New(b, wingssim.WithClock(clock.Real{}), wingssim.WithoutFrameLog())
		opts := []fakediscord.Option{fakediscord.WithoutBodies()}
		for i := range servers {
			opts = append(opts, fakediscord.WithChannel(guild, channelN(i)))
			node.SetState(serverUUID(i), "running")
		}
		s := fakediscord.New(b, opts...)
		hub, err := console.NewHub(session(b, s, rewrite{}), console.WithDataDir(b.TempDir()))
		require.NoError(b, err)
		var gens []*wingssim.Stream
		for i := range servers {
			gens = append(gens, node.StreamLines(serverUUID(i), rate, "#%06d "+strings.Repeat("busy ", 10)))
		}
		stop := startWingsRelays(b, node, hub, servers)
		<-time.After(*wingsG50For)
		written := 0
		for _, g := range gens {
			g.Stop()
			written += g.Lines()
		}
		<-time.After(10 * time.Second) // the last posts
		stop()
		st := totals(hub, channelIDs(servers)...)
		b.ReportMetric(float64(s.RateLimited()), "429s")
		b.ReportMetric(100*float64(st.Posted+st.Folded)/float64(written), "%lines-posted-or-attached")
		b.Logf("%d servers × %d lines/s for %s: %d written, %d relayed (%d posted, %d attached, %d dropped, %d unconfirmed, %d failed), %d messages, %d × 429 (%d global); node dropped %d",
			servers, rate, *wingsG50For, written, st.Lines, st.Posted, st.Folded, st.Dropped, st.Unconfirmed, st.Failed,
			st.Messages, s.RateLimited(), s.GlobalRateLimited(), node.Dropped())
	}
}
