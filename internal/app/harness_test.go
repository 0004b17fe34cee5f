package app_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/app"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/console/wings/wingssim"
	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl/pterosim"
)

// IDs of the fake guild and its people.
const (
	guildID      = "100000000000000001"
	channelID    = "100000000000000002"
	auditChannel = "100000000000000003"
	viewerRole   = "200000000000000001"
	operatorRole = "200000000000000002"
	adminRole    = "200000000000000003"
	adminUser    = "300000000000000009"
	botToken     = "MTAwMDAwMDAwMDAwMDAwMDk5.Gfake.e2e-test-token-value"

	survivalID = "1a2b3c4d"
	creativeID = "5e6f7a8b"
)

// people who trigger interactions.
var (
	viewer   = fakediscord.Actor{GuildID: guildID, ChannelID: channelID, UserID: "300000000000000001", Roles: []string{viewerRole}}
	operator = fakediscord.Actor{GuildID: guildID, ChannelID: channelID, UserID: "300000000000000002", Roles: []string{operatorRole}}
	admin    = fakediscord.Actor{GuildID: guildID, ChannelID: channelID, UserID: "300000000000000003", Roles: []string{adminRole}}
	stranger = fakediscord.Actor{GuildID: guildID, ChannelID: channelID, UserID: "300000000000000004"}
)

// bot is the real bot, started by app.Run against a fake Discord and a
// Pterodactyl simulator.
type bot struct {
	dc   *fakediscord.Server
	sim  *pterosim.Sim
	node *wingssim.Node // nil without setup.nodeOpts
	url  string         // the panel's address as the bot knows it
	logs *syncBuffer
	// metrics is where /healthz and /metrics listen, with METRICS_ADDR set.
	metrics string
	stop    context.CancelFunc
	done    chan error
	env     map[string]string
	now     func() time.Time
	clock   clock.Clock

	stopOnce sync.Once
	// round runs one watcher round of the running bot (Options.WatchRound).
	roundMu sync.Mutex
	round   func(ctx context.Context) error
}

type setup struct {
	env     map[string]string
	dcOpts  []fakediscord.Option
	simOpts []pterosim.Option
	// panelFront, when set, wraps the simulator's handler; the bot then
	// talks to the wrapper.
	panelFront func(http.Handler) http.Handler
	// withSim, when set, runs once the Pterodactyl simulator exists, to
	// add what depends on it (a config file naming its address).
	withSim func(s *setup, sim *pterosim.Sim)
	// nodeOpts, when not nil, give the panel a Wings node simulator.
	nodeOpts []wingssim.Option
	// now, when set, is app.Options.Now (the status cache's clock, …).
	now func() time.Time
	// clock, when set, is app.Options.Clock (the schedules').
	clock clock.Clock
}

// startBot runs app.Run in the background and waits until the bot is
// connected and has registered its commands. The test's end stops it and
// checks that it shut down cleanly.
func startBot(t testing.TB, tweak ...func(*setup)) *bot {
	t.Helper()
	st := &setup{env: map[string]string{}}
	for _, f := range tweak {
		f(st)
	}
	dc := fakediscord.New(t, append([]fakediscord.Option{
		fakediscord.WithToken(botToken), fakediscord.WithGuild(guildID), fakediscord.WithPingsRefused(),
		fakediscord.WithChannel(guildID, channelID), fakediscord.WithChannel(guildID, auditChannel),
	}, st.dcOpts...)...)
	// The panel's address is reserved first: a Wings node checks the
	// websocket Origin against it, and the simulator needs the node.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	panelURL := "http://" + ln.Addr().String()
	var node *wingssim.Node
	if st.nodeOpts != nil {
		node = wingssim.New(t, append([]wingssim.Option{wingssim.WithOrigin(panelURL)}, st.nodeOpts...)...)
		st.simOpts = append(st.simOpts, pterosim.WithNode(node))
	}
	sim := pterosim.New(t, append([]pterosim.Option{
		pterosim.WithTransitionDelay(10 * time.Millisecond),
		pterosim.WithServers(
			pterosim.ServerSpec{Identifier: survivalID, Name: "Survival", State: panel.StateRunning,
				Limits: panel.Limits{MemoryMB: 4096, DiskMB: 20000, CPUPercent: 200}},
			pterosim.ServerSpec{Identifier: creativeID, Name: "Creative", State: panel.StateOffline},
		),
	}, st.simOpts...)...)
	if st.withSim != nil {
		st.withSim(st, sim)
	}
	var handler http.Handler = sim
	if st.panelFront != nil {
		handler = st.panelFront(sim)
	}
	front := httptest.NewUnstartedServer(handler)
	front.Listener.Close()
	front.Listener = ln
	front.Start()
	t.Cleanup(front.Close)
	env := map[string]string{
		"DISCORD_TOKEN": botToken, "DISCORD_GUILD_ID": guildID, "DISCORD_API_URL": dc.APIBase(),
		"PANEL_URL": panelURL, "PANEL_API_KEY": sim.APIKey(), "PANEL_RATE_LIMIT": "100000",
		"ACL_VIEWER_ROLES": viewerRole, "ACL_OPERATOR_ROLES": operatorRole,
		"ACL_ADMIN_ROLES": adminRole, "ACL_ADMIN_USERS": adminUser, "AUDIT_CHANNEL_ID": auditChannel,
		"LOG_LEVEL": "debug", "DATA_DIR": t.TempDir(),
	}
	for k, v := range st.env {
		env[k] = v
	}
	b := &bot{dc: dc, sim: sim, node: node, url: panelURL, logs: &syncBuffer{}, env: env, now: st.now, clock: st.clock}
	b.launch(t)
	t.Cleanup(func() { b.shutdown(t) })
	return b
}

// launch runs app.Run in the background and waits until it is ready.
func (b *bot) launch(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.stop, b.done, b.stopOnce = cancel, make(chan error, 1), sync.Once{}
	ready := make(chan struct{})
	go func() {
		b.done <- app.Run(ctx, app.Options{
			Args: []string{"run"}, Getenv: func(k string) string { return b.env[k] },
			Stderr: b.logs, Ready: func() { close(ready) },
			MetricsReady: func(addr string) { b.metrics = addr },
			WatchRound: func(r func(context.Context) error) {
				b.roundMu.Lock()
				b.round = r
				b.roundMu.Unlock()
			},
			Now: b.now, Clock: b.clock,
		})
	}()
	select {
	case <-ready:
	case err := <-b.done:
		t.Fatalf("bot stopped before it was ready: %v\nlogs:\n%s", err, b.logs)
	case <-time.After(10 * time.Second):
		t.Fatalf("bot not ready after 10 s\nlogs:\n%s", b.logs)
	}
}

// restart stops the bot as SIGTERM would and runs it again on the same
// DATA_DIR, fake Discord and simulators.
func (b *bot) restart(t testing.TB) {
	t.Helper()
	b.shutdown(t)
	b.launch(t)
}

// shutdown stops the bot as SIGTERM would and checks it exits cleanly and
// never logged a secret.
func (b *bot) shutdown(t testing.TB) {
	b.stopOnce.Do(func() {
		b.stop()
		select {
		case err := <-b.done:
			require.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Fatalf("bot did not stop within 15 s")
		}
	})
	logs := b.logs.String()
	for _, secret := range []string{botToken, b.sim.APIKey()} {
		require.NotContains(t, logs, secret, "a secret reached the log")
	}
}

// dispatch sends an interaction and waits for the bot's first callback.
func (b *bot) dispatch(t testing.TB, i *fakediscord.Interaction) *fakediscord.Pending {
	t.Helper()
	p := b.dc.Dispatch(t, i)
	p.Response(t)
	return p
}

// reply waits until the interaction's visible answer (original message,
// or the follow-up that replaced a deleted one) is there.
func (b *bot) reply(t testing.TB, p *fakediscord.Pending) fakediscord.Message {
	t.Helper()
	return b.replyWithin(t, p, 10*time.Second)
}

// replyWithin is reply with its own patience, for answers queued behind a
// panel's rate limit (the 3-second acknowledgement is checked apart).
func (b *bot) replyWithin(t testing.TB, p *fakediscord.Pending, wait time.Duration) fakediscord.Message {
	t.Helper()
	var got fakediscord.Message
	require.Eventually(t, func() bool {
		if fs := p.Followups(); len(fs) > 0 {
			got = fs[len(fs)-1]
			return !got.Deleted && got.Flags&128 == 0
		}
		m, ok := p.Original()
		got = m
		return ok && !m.Deleted && m.Flags&128 == 0 && (m.Content != "" || len(m.Embeds) > 0)
	}, wait, 5*time.Millisecond, "no answer; logs:\n%s", b.logs)
	return got
}

// text is everything a user reads in a message.
func text(m fakediscord.Message) string {
	var sb strings.Builder
	sb.WriteString(m.Content)
	for _, e := range m.Embeds {
		sb.WriteString("\n" + e.Title + "\n" + e.Description)
		for _, f := range e.Fields {
			sb.WriteString("\n" + f.Name + ": " + f.Value)
		}
		if e.Footer != nil {
			sb.WriteString("\n" + e.Footer.Text)
		}
	}
	return sb.String()
}

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
