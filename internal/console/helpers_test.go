package console

import (
	"context"
	"github.com/panelbot/panelbot/internal/panel"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/manualclock"
)

// newTestClock is the clock the relay tests drive by hand.
func newTestClock() *manualclock.Clock {
	return manualclock.New(time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC))
}

// posted is one request as the fake poster saw it.
type posted struct {
	channel   string
	content   string
	flags     discordgo.MessageFlags
	mentions  *discordgo.MessageAllowedMentions
	fileName  string
	file      string
	hasFile   bool
	retry429  bool
	restRetry int
}

// recorder is a Poster that records every request and answers with what
// answer returns (nil: success). With gate set, each request waits for a
// token on gate first, as a post blocked on the rate-limit bucket would.
type recorder struct {
	mu     sync.Mutex
	calls  []posted
	answer func(n int, p posted) error
	gate   chan struct{}
}

func (r *recorder) ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error) {
	cfg := &discordgo.RequestConfig{Request: &http.Request{Header: http.Header{}}, ShouldRetryOnRateLimit: true, MaxRestRetries: 3}
	for _, o := range options {
		o(cfg)
	}
	if r.gate != nil {
		// Like discordgo waiting for the bucket, then the request honouring
		// its context.
		select {
		case <-r.gate:
		case <-cfg.Request.Context().Done():
			return nil, cfg.Request.Context().Err()
		}
	}
	p := posted{channel: channelID, content: data.Content, flags: data.Flags, mentions: data.AllowedMentions}
	p.retry429, p.restRetry = cfg.ShouldRetryOnRateLimit, cfg.MaxRestRetries
	if len(data.Files) > 0 {
		b, err := io.ReadAll(data.Files[0].Reader)
		if err != nil {
			return nil, err
		}
		p.fileName, p.file, p.hasFile = data.Files[0].Name, string(b), true
	}
	r.mu.Lock()
	n := len(r.calls)
	r.calls = append(r.calls, p)
	answer := r.answer
	r.mu.Unlock()
	if answer != nil {
		if err := answer(n, p); err != nil {
			return nil, err
		}
	}
	return &discordgo.Message{ID: "1", ChannelID: channelID, Content: data.Content}, nil
}

func (r *recorder) all() []posted {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]posted(nil), r.calls...)
}

// Kind says what a scripted Event carries.
type Kind int

// The kinds of scripted Event.
const (
	KindLine Kind = iota + 1
	KindStatus
	KindStats
	KindNotice
)

// Event is one thing a test's scripted source hands its sink.
type Event struct {
	Kind  Kind
	Text  string
	State panel.State
	Stats *panel.Resources
}

// Play hands ev to sink as a Source would.
func Play(sink Sink, ev Event) {
	switch ev.Kind {
	case KindLine:
		sink.Line(ev.Text)
	case KindNotice:
		sink.Notice(ev.Text)
	case KindStatus:
		sink.Status(ev.State)
	case KindStats:
		sink.Stats(*ev.Stats)
	}
}

// PlayFrom is a Source's Stream fed by a test: it plays events until in is
// closed (then returns err) or ctx ends.
func PlayFrom(ctx context.Context, in <-chan Event, sink Sink, err error) error {
	for {
		select {
		case ev, ok := <-in:
			if !ok {
				return err
			}
			Play(sink, ev)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// chanSource is a Source fed by a test.
type chanSource struct {
	in  chan Event
	err error
}

func newChanSource() *chanSource { return &chanSource{in: make(chan Event, 64)} }

func (s *chanSource) Stream(ctx context.Context, sink Sink) error {
	if err := PlayFrom(ctx, s.in, sink, nil); err != nil {
		return err
	}
	return s.err // read once the test closed in, after it set err
}

func lineEv(text string) Event { return Event{Kind: KindLine, Text: text} }

// rateLimited builds the error discordgo returns for a 429 when it is told
// not to retry.
func rateLimited(after time.Duration) error {
	return &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{
		TooManyRequests: &discordgo.TooManyRequests{Message: "You are being rate limited.", RetryAfter: after},
		URL:             discordgo.EndpointChannelMessages(testChannel),
	}}
}

// restError builds the error discordgo returns for another HTTP failure.
func restError(status int) error {
	return &discordgo.RESTError{Response: &http.Response{StatusCode: status, Status: http.StatusText(status)},
		ResponseBody: []byte(`{"message":"Missing Access","code":50001}`)}
}

const testChannel = "111111111111111111"

// harness runs one relay against a recorder inside a synctest bubble.
type harness struct {
	t      *testing.T
	clock  *manualclock.Clock
	rec    *recorder
	hub    *Hub
	src    *chanSource
	relay  *Relay
	cancel context.CancelFunc
	done   chan error
}

func newHarness(t *testing.T, rec *recorder, opts []Option, ropts ...RelayOption) *harness {
	t.Helper()
	h := &harness{t: t, clock: newTestClock(), rec: rec, src: newChanSource(), done: make(chan error, 1)}
	// Linger is off unless a test is about it, so each post is visible at once.
	hub, err := NewHub(rec, append([]Option{WithClock(h.clock), WithLinger(0)}, opts...)...)
	require.NoError(t, err)
	h.hub = hub
	h.relay, err = hub.NewRelay(testChannel, h.src, ropts...)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.relay.Run(ctx) }()
	return h
}

// stop cancels the relay and waits for the sender to drain.
func (h *harness) stop() {
	h.cancel()
	<-h.done
	h.hub.Wait()
}

func (h *harness) lines(texts ...string) {
	for _, t := range texts {
		h.src.in <- lineEv(t)
	}
}

// blocks splits a message's content into its plain paragraphs and the
// lines of its code blocks, checking the block structure as it goes.
func blocks(t *testing.T, content string) (text, code []string) {
	t.Helper()
	in := false
	for _, l := range strings.Split(content, "\n") {
		switch {
		case l == "```":
			in = !in
		case in:
			require.NotContains(t, l, "``", "backtick run inside a code block")
			code = append(code, l)
		default:
			require.NotContains(t, l, "```", "stray fence in text")
			text = append(text, l)
		}
	}
	require.False(t, in, "code block left open: %q", content)
	return text, code
}
