package fakediscord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/require"
)

const (
	testGuild   = "900000000000000001"
	testChannel = "900000000000000002"
	testUser    = "900000000000000003"
	testRole    = "900000000000000004"
	patience    = 5 * time.Second
)

// rewrite sends discordgo's https://discord.com/api/v9/... requests to the
// fake, the way the bot's own transport does.
type rewrite struct {
	base string
	next http.RoundTripper
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
	return r.next.RoundTrip(req)
}

// restSession is a discordgo session wired to the fake, without gateway.
func restSession(t *testing.T, s *Server) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot " + s.Token())
	require.NoError(t, err)
	dg.Client = &http.Client{Transport: rewrite{base: s.APIBase(), next: http.DefaultTransport}, Timeout: patience}
	dg.MaxRestRetries = 0
	return dg
}

// openSession opens a real gateway session and returns it with a channel
// of the interactions it receives.
func openSession(t *testing.T, s *Server, intents discordgo.Intent, reconnect bool) (*discordgo.Session, <-chan *discordgo.Interaction) {
	t.Helper()
	dg := restSession(t, s)
	dg.Identify.Intents = intents
	got := make(chan *discordgo.Interaction, 16)
	dg.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i.Interaction })
	open(t, s, dg, reconnect)
	return dg, got
}

// open connects dg and arranges its end. A session that must survive
// drops (reconnect) is closed by the test, which costs discordgo's 1 s
// close sleep; any other is left to die with the server, reconnect off.
// Either way open waits for the first heartbeat: discordgo's heartbeat
// goroutine can otherwise race Close and start an endless reconnect loop.
func open(t *testing.T, s *Server, dg *discordgo.Session, reconnect bool) {
	t.Helper()
	dg.ShouldReconnectOnError = reconnect
	before := s.GatewayStats().Heartbeats
	require.NoError(t, dg.Open())
	if reconnect {
		t.Cleanup(func() { _ = dg.Close() })
	}
	s.WaitGateway(t, func(g GatewayStats) bool { return g.Identifies > 0 && g.Live && g.Heartbeats > before })
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(patience):
		t.Fatalf("nothing received within %v", patience)
		var zero T
		return zero
	}
}

// restCode extracts Discord's status and error code from a discordgo error.
func restCode(t *testing.T, err error) (int, int) {
	t.Helper()
	var re *discordgo.RESTError
	require.True(t, errors.As(err, &re), "want a RESTError, got %v", err)
	require.NotNil(t, re.Message, "error body: %s", re.ResponseBody)
	return re.Response.StatusCode, re.Message.Code
}

// call sends a raw request with the bot token (unless auth is false).
func hit(t *testing.T, s *Server, method, path string, body any, auth bool) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.APIBase()+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if auth {
		req.Header.Set("Authorization", "Bot "+s.Token())
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	}
	return resp.StatusCode, out, resp.Header
}

// errorAt digs the _errors entry out of a 50035 body at path.
func errorAt(body map[string]any, path ...string) string {
	node, _ := body["errors"].(map[string]any)
	for _, p := range path {
		node, _ = node[p].(map[string]any)
	}
	list, _ := node["_errors"].([]any)
	if len(list) == 0 {
		return ""
	}
	e, _ := list[0].(map[string]any)
	return fmt.Sprint(e["code"])
}

// statusCommands is a small command set like the bot's.
func statusCommands() []*discordgo.ApplicationCommand {
	perm := int64(discordgo.PermissionManageServer)
	return []*discordgo.ApplicationCommand{
		{Name: "status", Description: "Show a server", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "server", Description: "Server", Required: true, Autocomplete: true},
			{Type: discordgo.ApplicationCommandOptionInteger, Name: "lines", Description: "Lines", MinValue: ptr(1.0), MaxValue: 50},
		}},
		{Name: "power", Description: "Power a server", DefaultMemberPermissions: &perm, Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "start", Description: "Start", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "server", Description: "Server", Required: true},
			}},
		}},
	}
}

func ptr[T any](v T) *T { return &v }

// member is an actor in the test guild with the given permissions.
func member(perms int64) Actor {
	return Actor{GuildID: testGuild, ChannelID: testChannel, UserID: testUser, Username: "alice", Roles: []string{testRole}, Permissions: perms}
}

// fatalRecorder captures Fatalf so tests can check a helper refuses.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msg = fmt.Sprintf(format, args...)
}
