package console_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/fakediscord"
)

// Integration tests: a real discordgo.Session, with its own rate limiter,
// against the strict fake Discord.

const (
	guild   = "900000000000000001"
	channel = "900000000000000002"
	admin   = "900000000000000003"
	role    = "900000000000000004"
	wait    = 10 * time.Second
)

// rewrite sends discordgo's https://discord.com/api/v9/... requests to the
// fake. When scale is above 1, it also divides the X-RateLimit-Reset-After
// header by it, so that discordgo, which sleeps in real time, keeps pace
// with a fake clock running scale times faster.
type rewrite struct {
	base  string
	next  http.RoundTripper
	scale float64
	sent  func(*http.Request) // sees each request as it leaves, if set
	// after may replace the answer the client gets, after the fake has
	// handled the request.
	after func(*http.Response) (*http.Response, error)
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if u := req.URL.String(); strings.HasPrefix(u, discordgo.EndpointAPI) {
		req = req.Clone(req.Context())
		nu, err := req.URL.Parse(r.base + "/" + strings.TrimPrefix(u, discordgo.EndpointAPI))
		if err != nil {
			return nil, err
		}
		req.URL, req.Host = nu, nu.Host
	}
	if r.sent != nil {
		r.sent(req)
	}
	resp, err := r.next.RoundTrip(req)
	if err == nil && r.after != nil {
		return r.after(resp)
	}
	if err == nil && r.scale > 1 {
		if v := resp.Header.Get("X-RateLimit-Reset-After"); v != "" {
			var f float64
			if _, serr := fmt.Sscanf(v, "%g", &f); serr == nil {
				resp.Header.Set("X-RateLimit-Reset-After", fmt.Sprintf("%.3f", f/r.scale))
			}
		}
	}
	return resp, err
}

func session(t testing.TB, s *fakediscord.Server, rt rewrite) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot " + s.Token())
	require.NoError(t, err)
	rt.base, rt.next = s.APIBase(), http.DefaultTransport
	dg.Client = &http.Client{Transport: rt, Timeout: wait}
	dg.MaxRestRetries = 0
	return dg
}

// source is a console.Source fed by the test; closing in ends the stream.
type source struct{ in chan console.Event }

func (s *source) Stream(ctx context.Context, sink console.Sink) error {
	return console.PlayFrom(ctx, s.in, sink, nil)
}

// run starts a relay and returns its source and a stop function that ends
// the stream and waits for the channel to be drained.
func run(t testing.TB, hub *console.Hub, opts ...console.RelayOption) (*console.Relay, *source, func()) {
	t.Helper()
	src := &source{in: make(chan console.Event, 1024)}
	relay, err := hub.NewRelay(channel, src, opts...)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- relay.Run(context.Background()) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			close(src.in)
			require.NoError(t, <-done)
			hub.Wait()
		})
	}
	t.Cleanup(stop)
	return relay, src, stop
}

// posted waits until n lines are shown or attached, so that stopping does
// not fold what is left into one last attachment.
func posted(t testing.TB, hub *console.Hub, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		st := hub.Stats(channel)
		return st.Posted+st.Folded >= n
	}, wait, 5*time.Millisecond)
}

// botMessages returns what the bot posted in the channel.
func botMessages(s *fakediscord.Server) []fakediscord.Message {
	var out []fakediscord.Message
	for _, m := range s.Messages(channel) {
		if m.AuthorID == s.BotUserID() {
			out = append(out, m)
		}
	}
	return out
}

// shown splits everything the bot posted into the console lines shown in
// code blocks and attachments, in order, and the plain-text paragraphs,
// checking each message against Discord's rules on the way.
func shown(t testing.TB, msgs []fakediscord.Message) (lines, text []string) {
	t.Helper()
	for _, m := range msgs {
		require.True(t, m.PingsNobody(), "message %s may ping someone", m.ID)
		require.LessOrEqual(t, utf8.RuneCountInString(m.Content), 2000)
		for _, f := range m.Files {
			require.True(t, strings.HasSuffix(f.Name, ".log"), f.Name)
			require.LessOrEqual(t, len(f.Data), 10<<20)
			lines = append(lines, strings.Split(strings.TrimSuffix(string(f.Data), "\n"), "\n")...)
		}
		in := false
		for _, l := range strings.Split(m.Content, "\n") {
			switch {
			case l == "```":
				in = !in
			case in:
				require.NotContains(t, l, "``", "a backtick run could close the block")
				lines = append(lines, strings.ReplaceAll(l, "\u200b", ""))
			default:
				text = append(text, l)
			}
		}
		require.False(t, in, "code block left open in %q", m.Content)
	}
	return lines, text
}

func TestConsoleReachesDiscordSafely(t *testing.T) {
	s := fakediscord.New(t, fakediscord.WithChannel(guild, channel))
	hub, err := console.NewHub(session(t, s, rewrite{}))
	require.NoError(t, err)
	_, src, stop := run(t, hub)
	long := strings.Repeat("0123456789", 500)
	for _, l := range []string{
		"@everyone the server is up",
		"<@&900000000000000004> role ping",
		"<@900000000000000003> user ping <@!900000000000000003>",
		"\x1b[31;1m[ERROR]\x1b[0m \x1b]0;title\x07coloured\ttab",
		long,
		"```js",
		"alert(1)``` and ``` more",
		"```",
	} {
		src.in <- console.Event{Kind: console.KindLine, Text: l}
	}
	posted(t, hub, 10)
	stop()
	msgs := botMessages(s)
	lines, _ := shown(t, msgs)
	assert.Equal(t, []string{
		"@everyone the server is up",
		"<@&900000000000000004> role ping",
		"<@900000000000000003> user ping <@!900000000000000003>",
		"[ERROR] coloured    tab",
		long[:1992], long[1992:3984], long[3984:],
		"```js",
		"alert(1)``` and ``` more",
		"```",
	}, lines)
	for _, m := range msgs {
		assert.Equal(t, fakediscord.FlagSuppressNotifications, m.Flags, "console posts are silent")
		require.NotNil(t, m.AllowedMentions)
		assert.NotNil(t, m.AllowedMentions.Parse, `sent as "parse": [], not null`)
	}
	assert.Zero(t, s.InvalidRequests())
}

func TestRateLimitsAreWaitedOutWithNothingLostOrRepeated(t *testing.T) {
	s := fakediscord.New(t, fakediscord.WithChannel(guild, channel), fakediscord.WithChannelBucket(2, 300*time.Millisecond))
	s.RateLimitNext(fakediscord.Route("POST", "/channels/{}/messages"), 3, 200*time.Millisecond)
	hub, err := console.NewHub(session(t, s, rewrite{}), console.WithLinger(0))
	require.NoError(t, err)
	_, src, stop := run(t, hub)
	const n = 200
	for i := range n {
		src.in <- console.Event{Kind: console.KindLine, Text: fmt.Sprintf("line %03d %s", i, strings.Repeat("*", 30))}
	}
	posted(t, hub, n)
	stop()
	lines, _ := shown(t, botMessages(s))
	require.Len(t, lines, n, "every line once")
	for i, l := range lines {
		assert.True(t, strings.HasPrefix(l, fmt.Sprintf("line %03d ", i)), "line %d is %q", i, l)
	}
	st := hub.Stats(channel)
	assert.Equal(t, 3, st.RateLimited)
	assert.Equal(t, n, st.Posted)
	assert.Equal(t, 3, s.RateLimited(), "only the forced 429s: discordgo followed the bucket headers")
	// A request Discord accepted is never sent again.
	seen := map[string]bool{}
	for _, r := range s.Requests() {
		if r.Method == http.MethodPost && r.Status/100 == 2 {
			key := string(r.Payload)
			assert.False(t, seen[key], "accepted message re-sent")
			seen[key] = true
		}
	}
}

// A message Discord may have created but whose answer was lost (a reset
// after sending, a 500) is ambiguous: it is never sent again, and the
// channel is told lines may be missing. (A 502 is retried: see
// TestOutagesAreRetriedAndLoseNothing.)
func TestAmbiguousFailuresAreNotResent(t *testing.T) {
	for name, fail := range map[string]func(*http.Response) (*http.Response, error){
		"network error": func(resp *http.Response) (*http.Response, error) {
			resp.Body.Close()
			return nil, errors.New("read: connection reset by peer")
		},
		"500": func(resp *http.Response) (*http.Response, error) {
			resp.Body.Close()
			return &http.Response{StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error", Header: http.Header{},
				Body: io.NopCloser(strings.NewReader(`{"message":"500: Internal Server Error","code":0}`)), Request: resp.Request}, nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := fakediscord.New(t, fakediscord.WithChannel(guild, channel))
			var calls atomic.Int32
			rt := rewrite{after: func(resp *http.Response) (*http.Response, error) {
				if resp.Request.Method == http.MethodPost && calls.Add(1) == 1 {
					return fail(resp)
				}
				return resp, nil
			}}
			hub, err := console.NewHub(session(t, s, rt), console.WithLinger(0))
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
		})
	}
}

// Discord's refusals reach the operator's log, never the bot token; and the
// refused lines are counted, not retried.
func TestRefusalsAreLoggedWithoutTheToken(t *testing.T) {
	s := fakediscord.New(t) // no channel exists: 404 Unknown Channel
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	hub, err := console.NewHub(session(t, s, rewrite{}), console.WithLogger(log))
	require.NoError(t, err)
	_, src, stop := run(t, hub)
	src.in <- console.Event{Kind: console.KindLine, Text: "hello"}
	require.Eventually(t, func() bool { return hub.Stats(channel).Failed == 1 }, wait, 5*time.Millisecond)
	stop()
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), "console message not posted")
	assert.Contains(t, logs.String(), "404")
	assert.NotContains(t, logs.String(), s.Token())
	assert.Equal(t, 1, countPosts(s), "a refused message is not sent again")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func countPosts(s *fakediscord.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/messages") && !strings.Contains(string(r.Payload), "were not posted") {
			n++
		}
	}
	return n
}

func TestFloodIsFoldedIntoAttachments(t *testing.T) {
	s := fakediscord.New(t, fakediscord.WithChannel(guild, channel), fakediscord.WithChannelBucket(1, 400*time.Millisecond))
	hub, err := console.NewHub(session(t, s, rewrite{}), console.WithFoldAfter(200*time.Millisecond))
	require.NoError(t, err)
	_, src, stop := run(t, hub)
	const n = 3000
	for i := range n {
		src.in <- console.Event{Kind: console.KindLine, Text: fmt.Sprintf("flood %04d %s", i, strings.Repeat("x", 60))}
	}
	stop()
	msgs := botMessages(s)
	lines, text := shown(t, msgs)
	require.Len(t, lines, n, "all lines are shown or attached, once")
	for i, l := range lines {
		require.True(t, strings.HasPrefix(l, fmt.Sprintf("flood %04d ", i)), "line %d is %q", i, l)
	}
	files := 0
	for _, m := range msgs {
		files += len(m.Files)
	}
	assert.Positive(t, files)
	assert.Contains(t, strings.Join(text, "\n"), "console lines from <t:")
	st := hub.Stats(channel)
	assert.Equal(t, n, st.Posted+st.Folded)
	assert.Equal(t, files, st.Attachments)
	assert.Less(t, len(msgs), 20, "folding spared the channel")
}

func TestMemoryCapIsHonouredAndReported(t *testing.T) {
	s := fakediscord.New(t, fakediscord.WithChannel(guild, channel), fakediscord.WithChannelBucket(1, 300*time.Millisecond))
	hub, err := console.NewHub(session(t, s, rewrite{}), console.WithMemoryCap(64<<10, 0))
	require.NoError(t, err)
	_, src, stop := run(t, hub)
	const n = 2000
	for i := range n {
		src.in <- console.Event{Kind: console.KindLine, Text: fmt.Sprintf("line %04d %s", i, strings.Repeat("-", 90))}
	}
	stop()
	lines, text := shown(t, botMessages(s))
	st := hub.Stats(channel)
	require.Positive(t, st.Dropped)
	reported := 0
	for _, l := range text {
		var k int
		if _, err := fmt.Sscanf(l, "⚠ %d console lines were dropped: the console produced more than the bot can hold", &k); err == nil {
			reported += k
		}
	}
	assert.Equal(t, st.Dropped, reported, "every drop is reported")
	assert.Equal(t, n, len(lines)+st.Dropped, "every line shown or reported dropped")
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], fmt.Sprintf("line %04d ", n-1)), "the newest lines are kept")
	assert.Equal(t, n, st.Posted+st.Folded+st.Dropped)
}

type commander struct{ got chan string }

func (c *commander) Send(_ context.Context, cmd string) error { c.got <- cmd; return nil }

type admins struct{}

func (admins) IsAdmin(g, _ string, roles []string) bool {
	return g == guild && len(roles) == 1 && roles[0] == role
}

func TestConsoleCommandsThroughTheGateway(t *testing.T) {
	s := fakediscord.New(t, fakediscord.WithChannel(guild, channel),
		fakediscord.WithPrivilegedIntents(fakediscord.IntentMessageContent))
	dg := session(t, s, rewrite{})
	dg.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentMessageContent
	hub, err := console.NewHub(dg)
	require.NoError(t, err)
	cmd := &commander{got: make(chan string, 4)}
	relay, _, stop := run(t, hub, console.WithCommands(cmd, admins{}))
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { relay.HandleMessage(context.Background(), m) })
	require.NoError(t, dg.Open())
	t.Cleanup(func() { _ = dg.Close() })
	s.WaitReady(t)

	s.DispatchMessageCreate(fakediscord.UserMessage{GuildID: guild, ChannelID: channel, AuthorID: "900000000000000009", Roles: []string{"1"}, Content: "op me"})
	s.DispatchMessageCreate(fakediscord.UserMessage{GuildID: guild, ChannelID: channel, AuthorID: admin, Roles: []string{role}, Content: "say hi\nstop"})
	s.DispatchMessageCreate(fakediscord.UserMessage{GuildID: guild, ChannelID: channel, AuthorID: admin, Roles: []string{role}, Content: "say hello"})
	select {
	case got := <-cmd.got:
		assert.Equal(t, "say hello", got, "only the admin's valid command reaches the node")
	case <-time.After(wait):
		t.Fatal("command never reached the node")
	}
	require.Eventually(t, func() bool { return len(botMessages(s)) == 1 }, wait, 10*time.Millisecond)
	reply := botMessages(s)[0]
	assert.Equal(t, "⚠ <@"+admin+"> command not sent: Send one command at a time: a command must be a single line.", reply.Content)
	assert.True(t, reply.PingsNobody())
	stop()
	assert.Empty(t, cmd.got)
}
