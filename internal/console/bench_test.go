package console_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/fakediscord"
)

var (
	satDuration = flag.Duration("relay.sat", 120*time.Second, "saturation benchmark: console time to flood for")
	satScale    = flag.Float64("relay.scale", 6, "saturation benchmark: how much faster than real time the clocks run")
	satRate     = flag.Int("relay.rate", 200, "saturation benchmark: console lines per second (about 100 characters each)")
	satDebug    = flag.Bool("relay.debug", false, "saturation benchmark: list the messages")
	latLines    = flag.Int("relay.latlines", 20, "latency benchmark: lines sent, one per second")
)

// scaledClock runs k times faster than real time, for the hub and the fake
// alike; the transport scales the rate-limit headers to match.
type scaledClock struct {
	base, real0 time.Time
	k           float64
}

func (c *scaledClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.real0)) * c.k))
}

func (c *scaledClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	time.AfterFunc(time.Duration(float64(d)/c.k), func() { ch <- c.Now() })
	return ch
}

// BenchmarkRelaySaturation floods one relay at about ten times what a
// 5-per-5-seconds channel carries and reports the share of the channel's
// character budget its code blocks used and the share of lines accounted for.
//
//	go test -run '^$' -bench BenchmarkRelaySaturation -benchtime 1x ./internal/console/
func BenchmarkRelaySaturation(b *testing.B) {
	for range b.N {
		clk := &scaledClock{base: time.Now(), real0: time.Now(), k: *satScale}
		s := fakediscord.New(b, fakediscord.WithChannel(guild, channel), fakediscord.WithClock(clk))
		// The drain gets time enough to wait for the bucket once more.
		hub, err := console.NewHub(session(b, s, rewrite{scale: *satScale}), console.WithClock(clk), console.WithDataDir(b.TempDir()),
			console.WithDrainTimeout(30*time.Second))
		require.NoError(b, err)
		_, src, stop := run(b, hub)
		start := clk.Now()
		sent := flood(src, clk, *satRate, *satDuration)
		stop()
		report(b, s, hub, sent, start, start.Add(*satDuration))
	}
}

// flood sends rate lines per second of clock time for d, numbered, 40 to
// 160 characters long, and returns how many it sent.
func flood(src *source, clk *scaledClock, rate int, d time.Duration) int {
	start, sent := clk.Now(), 0
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		el := clk.Now().Sub(start)
		if el >= d {
			return sent
		}
		for due := int(el.Seconds() * float64(rate)); sent < due; sent++ {
			n := 40 + (sent*7919)%121
			line := fmt.Sprintf("#%06d [12:00:00 INFO]: ", sent)
			src.in <- console.Event{Kind: console.KindLine, Text: line + strings.Repeat("x", max(0, n-len(line)))}
		}
	}
	return sent
}

func report(b *testing.B, s *fakediscord.Server, hub *console.Hub, sent int, start, end time.Time) {
	msgs := botMessages(s)
	require.NotEmpty(b, msgs)
	t0 := msgs[0].Time
	const window, perWindow = 5 * time.Second, 5
	windows := int((end.Sub(t0) + window - 1) / window)
	var code, steady, inFlood, files, first10 int
	for _, m := range msgs {
		files += len(m.Files)
		if m.Time.Before(start.Add(10 * time.Second)) {
			first10 += codeChars(m.Content)
		}
		if !m.Time.Before(end) {
			continue // the drain after the flood
		}
		inFlood++
		c := codeChars(m.Content)
		code += c
		if !m.Time.Before(t0.Add(window)) {
			steady += c
		}
	}
	if *satDebug {
		for _, m := range msgs {
			fmt.Fprintf(os.Stderr, "%s files=%d code=%d total=%d head=%.60q\n", m.Time.Sub(t0).Round(time.Millisecond), len(m.Files), codeChars(m.Content), utf8.RuneCountInString(m.Content), m.Content)
		}
	}
	lines, _ := shown(b, msgs)
	st := hub.Stats(channel)
	seen := make(map[int]bool, len(lines))
	for _, l := range lines {
		n, err := strconv.Atoi(l[1:7])
		require.NoError(b, err, l)
		require.False(b, seen[n], "line %d shown twice", n)
		seen[n] = true
	}
	accounted := len(seen) + st.Dropped + st.Unconfirmed + st.Failed // every line shown once, or counted as lost
	budget := 100 * float64(code) / float64(windows*perWindow*2000)
	steadyPct := 100 * float64(steady) / float64((windows-1)*perWindow*2000)
	b.ReportMetric(budget, "%budget")
	b.ReportMetric(100*float64(first10)/(10*2000), "%budget-first-10s")
	b.ReportMetric(float64(s.RateLimited()), "429s")
	b.ReportMetric(steadyPct, "%budget-after-1st-window")
	b.ReportMetric(100*float64(accounted)/float64(sent), "%lines-accounted")
	b.Logf("flood %s at %d lines/s: %d lines sent; %d messages in %d windows of 5 s (%d allowed), %d more while draining; "+
		"code-block chars %d = %.1f%% of the budget, %.1f%% after the first window; lines: %d shown, %d attached, %d dropped, %d unconfirmed, %d failed (%.2f%% accounted); %d attachments, %d 429s",
		end.Sub(start), *satRate, sent, inFlood, windows, windows*perWindow, len(msgs)-inFlood, code, budget, steadyPct,
		st.Posted, st.Folded, st.Dropped, st.Unconfirmed, st.Failed, 100*float64(accounted)/float64(sent), files, s.RateLimited())
}

// codeChars counts the characters of a message's code blocks, fences included.
func codeChars(content string) int {
	n, in := 0, false
	for _, l := range strings.Split(content, "\n") {
		switch {
		case l == "```" && !in:
			in, n = true, n+4 // "```\n"
		case l == "```":
			in, n = false, n+3
		case in:
			n += utf8.RuneCountInString(l) + 1
		}
	}
	return n
}

// BenchmarkRelayLatency sends one line a second and reports how long each
// took from the console to the request leaving for Discord.
//
//	go test -run '^$' -bench BenchmarkRelayLatency -benchtime 1x ./internal/console/
func BenchmarkRelayLatency(b *testing.B) {
	for range b.N {
		var mu sync.Mutex
		var lat []time.Duration
		s := fakediscord.New(b, fakediscord.WithChannel(guild, channel))
		rt := rewrite{sent: func(r *http.Request) {
			now := time.Now()
			for _, ns := range stamps(r) {
				mu.Lock()
				lat = append(lat, now.Sub(time.Unix(0, ns)))
				mu.Unlock()
			}
		}}
		hub, err := console.NewHub(session(b, s, rt))
		require.NoError(b, err)
		_, src, stop := run(b, hub)
		tick := time.NewTicker(time.Second)
		for i := range *latLines {
			src.in <- console.Event{Kind: console.KindLine, Text: fmt.Sprintf("lat %d %d", i, time.Now().UnixNano())}
			<-tick.C
		}
		tick.Stop()
		stop()
		require.Len(b, lat, *latLines)
		slices.Sort(lat)
		p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
		b.ReportMetric(float64(p(0.5).Microseconds())/1000, "ms-p50")
		b.ReportMetric(float64(p(0.99).Microseconds())/1000, "ms-p99")
		b.Logf("%d lines at 1/s: p50 %s, p99 %s, max %s", len(lat), p(0.5), p(0.99), lat[len(lat)-1])
	}
}

// stamps reads the send times out of the "lat <i> <ns>" lines of a
// request's content.
func stamps(r *http.Request) []int64 {
	var out []int64
	for _, l := range requestLines(r) {
		var i int
		var ns int64
		if _, err := fmt.Sscanf(l, "lat %d %d", &i, &ns); err == nil {
			out = append(out, ns)
		}
	}
	return out
}

// requestLines reads the lines of a message request's content, JSON or
// multipart.
func requestLines(r *http.Request) []string {
	if r.Method != http.MethodPost || r.GetBody == nil {
		return nil
	}
	body, err := r.GetBody()
	if err != nil {
		return nil
	}
	raw, _ := io.ReadAll(body)
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		part, err := multipart.NewReader(strings.NewReader(string(raw)), params["boundary"]).NextPart()
		if err != nil {
			return nil
		}
		raw, _ = io.ReadAll(part)
	}
	var msg struct{ Content string }
	if json.Unmarshal(raw, &msg) != nil {
		return nil
	}
	return strings.Split(msg.Content, "\n")
}
