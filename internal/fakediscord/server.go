// Package fakediscord is a strict stand-in for Discord that a real
// discordgo.Session talks to in tests: a REST API under /api/v10 and a JSON
// gateway over websocket. It refuses what Discord refuses (bad tokens, late or
// repeated interaction callbacks, oversized messages, rate-limit overruns)
// with Discord's status codes and error bodies, and records everything the
// bot sent so tests can assert on it without sleeping.
//
// Typical use:
//
//	s := fakediscord.New(t, fakediscord.WithGuild(g), fakediscord.WithChannel(g, ch))
//	// point the bot's HTTP transport at s.APIBase() and its token at s.Token()
//	s.WaitReady(t)
//	p := s.Dispatch(t, s.Command(fakediscord.Actor{GuildID: g, ChannelID: ch, UserID: u}, "status", fakediscord.Value("server", "mc1")))
//	resp := p.Response(t) // the callback the bot sent, with the status the fake gave it
//	orig := p.WaitOriginal(t, func(m fakediscord.Message) bool { return m.Content != "" })
package fakediscord

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// discordEpoch is the first millisecond of 2015, the origin of snowflakes.
const discordEpoch = 1420070400000

// waitTimeout bounds every Wait* helper so a broken bot fails the test
// instead of hanging it.
const waitTimeout = 10 * time.Second

// maxRecorded bounds the request log so a runaway bot cannot exhaust memory.
const maxRecorded = 10000

// Server is one fake Discord: one application, one bot user, its guilds and
// channels, the commands it registered and the messages it sent. All state
// sits behind one mutex because every operation on it is short.
type Server struct {
	cfg    config
	srv    *httptest.Server
	ln     *relistener // lets RefuseConnections close the port and reopen it
	routes []route

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced on every state change
	lastID        uint64
	guilds        map[string]bool
	members       map[string][]string // "guild/user" -> roles (SetMember)
	channels      map[string]string   // channel ID -> guild ID ("" for DMs)
	commands      map[string][]*command
	interactions  map[string]*interaction // by interaction ID
	byToken       map[string]*interaction
	messages      map[string]*storedMsg
	order         []string // message IDs in creation order
	buckets       map[string]*bucket
	forced        []*forcedLimit
	global        *bucket // all authenticated routes together
	out           outage
	records       []Request
	rateLimited   int
	globalLimited int
	invalid       int
	gw            gateway
}

// New starts a fake Discord for one test and stops it when the test ends.
// Invalid options fail the test at once, so a typo cannot silently loosen
// the fake.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg, err := newConfig(opts)
	if err != nil {
		t.Fatalf("fakediscord: %v", err)
		return nil
	}
	s := &Server{
		cfg:          cfg,
		changed:      make(chan struct{}),
		guilds:       map[string]bool{},
		members:      map[string][]string{},
		channels:     map[string]string{},
		commands:     map[string][]*command{},
		interactions: map[string]*interaction{},
		byToken:      map[string]*interaction{},
		messages:     map[string]*storedMsg{},
		buckets:      map[string]*bucket{},
		global:       &bucket{hash: "global", limit: cfg.globalLimit, window: cfg.globalWindow},
	}
	s.gw.conns = map[*gwConn]struct{}{}
	for _, g := range cfg.guilds {
		s.guilds[g] = true
	}
	for ch, g := range cfg.channels {
		s.channels[ch] = g
		s.guilds[g] = true
	}
	s.routes = s.routeTable()
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.ln = &relistener{ln: s.srv.Listener, addr: s.srv.Listener.Addr()}
	s.srv.Listener = s.ln
	s.srv.Start()
	t.Cleanup(s.close)
	return s
}

// close ends the websocket connections first: httptest only waits for
// plain HTTP requests, and a hijacked gateway connection would outlive it.
func (s *Server) close() {
	s.mu.Lock()
	for c := range s.gw.conns {
		c.kill()
	}
	s.mu.Unlock()
	s.srv.Close()
}

// serve splits gateway from REST traffic; both share the one listener just
// like discord.com and gateway.discord.gg share one test host here.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/gateway" || r.URL.Path == "/gateway/":
		s.serveGateway(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/v10/"):
		s.serveREST(w, r, strings.TrimPrefix(r.URL.Path, "/api/v10"))
	case strings.HasPrefix(r.URL.Path, "/api/v9/"):
		s.serveREST(w, r, strings.TrimPrefix(r.URL.Path, "/api/v9"))
	default:
		writeJSON(w, reply{status: http.StatusNotFound, body: apiError{Message: "404: Not Found", Code: 0}})
	}
}

// APIBase is what the bot's transport must send discord.com/api/v9/ to,
// e.g. http://127.0.0.1:PORT/api/v10 (no trailing slash).
func (s *Server) APIBase() string { return s.srv.URL + "/api/v10" }

// GatewayURL is the websocket address GET /gateway hands out.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/gateway"
}

// Token is the bot token the fake accepts (without the "Bot " prefix).
func (s *Server) Token() string { return s.cfg.token }

// AppID is the application ID used in command and webhook routes.
func (s *Server) AppID() string { return s.cfg.appID }

// BotUserID is the bot user's ID, the author of everything the bot sends.
func (s *Server) BotUserID() string { return s.cfg.botUserID }

// AddChannel makes a channel exist after start-up; guildID "" makes it a DM
// channel. Messages to unknown channels get Discord's 404 Unknown Channel.
func (s *Server) AddChannel(guildID, channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[channelID] = guildID
	if guildID != "" {
		s.guilds[guildID] = true
	}
}

// now reads the injected clock; everything time-limited uses it.
func (s *Server) now() time.Time { return s.cfg.clock.Now() }

// snowflakeLocked returns a new ID that sorts after every earlier one and
// encodes the fake clock's time, like Discord's.
func (s *Server) snowflakeLocked() string {
	id := uint64(s.now().UnixMilli()-discordEpoch) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatUint(id, 10)
}

// changedLocked wakes every waiter so it re-checks its condition.
func (s *Server) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until cond (run under the lock) holds, failing t after
// timeout. It is driven by state changes, never by polling with sleeps.
func (s *Server) waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ok, ch := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("fakediscord: timed out after %v waiting for %s", timeout, what)
			return
		}
	}
}

// RateLimited counts the 429 answers given so far, forced or earned.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateLimited
}

// InvalidRequests counts 401, 403 and 429 answers: Discord bans an IP that
// piles up 10,000 of them in 10 minutes, so tests assert the bot does not
// loop on a failing request.
func (s *Server) InvalidRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.invalid
}
