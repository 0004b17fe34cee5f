// Command relaybench measures the console relay's memory with many busy
// relays: each relay floods its own channel through a real discordgo
// session, against a minimal Discord that enforces a per-channel message
// bucket with Discord's headers and 429s and throws the messages away
// (the recording fake of the tests would itself hold gigabytes).
//
//	go run ./cmd/relaybench -relays 100 -rate 200 -duration 2m
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/console"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "relaybench:", err)
		os.Exit(1)
	}
}

type options struct {
	relays, rate, lineLen, capBytes int
	duration, sample                time.Duration
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("relaybench", flag.ContinueOnError)
	fs.IntVar(&o.relays, "relays", 100, "relays, each to its own channel")
	fs.IntVar(&o.rate, "rate", 200, "console lines per second per relay")
	fs.IntVar(&o.lineLen, "len", 100, "average line length")
	fs.IntVar(&o.capBytes, "cap", console.DefaultMaxBytes, "memory cap per channel, bytes")
	fs.DurationVar(&o.duration, "duration", 2*time.Minute, "how long to flood")
	fs.DurationVar(&o.sample, "every", 10*time.Second, "how often to print a sample")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.relays < 1 || o.rate < 1 || o.lineLen < 10 || o.duration <= 0 || o.sample <= 0 {
		return o, errors.New("relays, rate, len (≥10), duration and every must be positive")
	}
	return o, nil
}

func run(args []string, out io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	d := newDiscord(5, 5*time.Second)
	srv := httptest.NewServer(d)
	defer srv.Close()
	hub, err := console.NewHub(session(srv.URL), console.WithMemoryCap(o.capBytes, 0))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	sources, wait := startRelays(ctx, hub, o.relays)
	fmt.Fprintf(out, "%d relays × %d lines/s × ~%d chars for %s, cap %d B/channel, GOGC default, %d CPUs\n",
		o.relays, o.rate, o.lineLen, o.duration, o.capBytes, runtime.NumCPU())
	m := &meter{}
	go generate(ctx, sources, o.rate, o.lineLen)
	m.watch(ctx, out, o.duration, o.sample)
	cancel()
	wait()
	hub.Wait()
	m.summary(out, hub, o.relays, d)
	return nil
}

// startRelays runs n relays, each fed by its own channel.
func startRelays(ctx context.Context, hub *console.Hub, n int) ([]chan string, func()) {
	var wg sync.WaitGroup
	sources := make([]chan string, n)
	for i := range n {
		sources[i] = make(chan string, 1024)
		relay, err := hub.NewRelay(channelID(i), feed(sources[i]))
		if err != nil {
			panic(err) // the channel IDs are ours: cannot happen
		}
		wg.Go(func() { _ = relay.Run(ctx) })
	}
	return sources, wg.Wait
}

func channelID(i int) string { return fmt.Sprintf("9%017d", i) }

// feed is a console.Source reading a channel, as a node's reader would
// hand over lines.
type feed chan string

func (f feed) Stream(ctx context.Context, sink console.Sink) error {
	for {
		select {
		case l := <-f:
			sink.Line(l)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// generate emits rate lines per second to every source, in 50 ms batches.
func generate(ctx context.Context, sources []chan string, rate, lineLen int) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	start, sent := time.Now(), 0
	words := strings.Fields("player joined the game saved chunks for level overworld took ms tick behind server running")
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		due := int(time.Since(start).Seconds() * float64(rate))
		for ; sent < due; sent++ {
			for i, src := range sources {
				select {
				case src <- line(sent, i, lineLen, words):
				default: // the relay is behind: as a node would, drop
				}
			}
		}
	}
}

func line(n, i, lineLen int, words []string) string {
	var b strings.Builder
	want := lineLen/2 + (n*7919+i*104729)%lineLen
	fmt.Fprintf(&b, "\x1b[32m[%02d:%02d:%02d INFO]\x1b[0m: #%d", n/3600%24, n/60%60, n%60, n)
	for k := 0; b.Len() < want; k++ {
		b.WriteByte(' ')
		b.WriteString(words[(n+k*31+i)%len(words)])
	}
	return b.String()
}

// session is a discordgo session whose requests go to the local server.
func session(base string) *discordgo.Session {
	dg, _ := discordgo.New("Bot benchmark")
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	dg.Client = &http.Client{Timeout: 30 * time.Second, Transport: rewrite{base: base + "/api/v9/", next: tr}}
	dg.MaxRestRetries = 0
	return dg
}

type rewrite struct {
	base string
	next http.RoundTripper
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if u := req.URL.String(); strings.HasPrefix(u, discordgo.EndpointAPI) {
		req = req.Clone(req.Context())
		nu, err := req.URL.Parse(r.base + strings.TrimPrefix(u, discordgo.EndpointAPI))
		if err != nil {
			return nil, err
		}
		req.URL, req.Host = nu, nu.Host
	}
	return r.next.RoundTrip(req)
}

// meter samples the Go heap and the process RSS.
type meter struct {
	peakHeap, peakRSS uint64
	series            []string
}

func (m *meter) watch(ctx context.Context, out io.Writer, d, every time.Duration) {
	start := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	next := every
	for el := time.Duration(0); el < d; el = time.Since(start) {
		<-tick.C
		heap, rss := m.sample()
		if time.Since(start) >= next {
			s := fmt.Sprintf("t=%-5s heap %6.1f MB  rss %6.1f MB  goroutines %d", time.Since(start).Round(time.Second), mb(heap), mb(rss), runtime.NumGoroutine())
			fmt.Fprintln(out, s)
			m.series = append(m.series, s)
			next += every
		}
	}
}

func (m *meter) sample() (heap, rss uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap, rss = ms.HeapInuse, procKB("VmRSS")*1024
	m.peakHeap, m.peakRSS = max(m.peakHeap, heap), max(m.peakRSS, rss)
	return heap, rss
}

func (m *meter) summary(out io.Writer, hub *console.Hub, relays int, d *discord) {
	var st console.Stats
	for i := range relays {
		st = st.Add(hub.Stats(channelID(i)))
	}
	fmt.Fprintf(out, "peak heap in use %.1f MB (sampled each second), peak RSS %.1f MB (VmHWM %.1f MB)\n",
		mb(m.peakHeap), mb(m.peakRSS), mb(procKB("VmHWM")*1024))
	fmt.Fprintf(out, "lines %d: posted %d, attached %d, dropped %d, unconfirmed %d, failed %d, pending %d; messages %d, attachments %d, 429s %d (server saw %d)\n",
		st.Lines, st.Posted, st.Folded, st.Dropped, st.Unconfirmed, st.Failed, st.Pending, st.Messages, st.Attachments, st.RateLimited, d.limited())
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// procKB reads a "Vm…" line of /proc/self/status, in KiB (0 off Linux).
func procKB(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var kb uint64
		if name, rest, ok := strings.Cut(sc.Text(), ":"); ok && name == field {
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb
		}
	}
	return 0
}
