package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/console/shardlynlog"
	"github.com/panelbot/panelbot/internal/console/wings"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/shardlyn"
	"github.com/panelbot/panelbot/internal/store"
)

// resolveBackoff bounds the wait between attempts to find a relayed server
// while its panel is unreachable at start-up.
const (
	resolveFirst = time.Second
	resolveMax   = 2 * time.Minute
)

// relaySpec is one console relay as configured: which server, where to.
type relaySpec struct {
	ref       string // what Registry.Resolve takes: a key, an id or a name
	channelID string
	commands  bool
}

// relaySpecs reads the relays from the environment (RELAY_*) or the file.
func relaySpecs(cfg config.Config, f *config.File) []relaySpec {
	var specs []relaySpec
	if cfg.RelayChannelID != "" {
		specs = append(specs, relaySpec{ref: cfg.RelayServer, channelID: cfg.RelayChannelID, commands: cfg.RelayCommands})
	}
	for _, p := range f.Panels {
		for _, s := range p.Servers {
			if s.Relay != nil {
				specs = append(specs, relaySpec{ref: p.TargetKey(s), channelID: s.Relay.ChannelID, commands: s.Relay.Commands})
			}
		}
	}
	return specs
}

// needsMessages tells whether a relay reads the channel, which needs the
// GUILD_MESSAGES and privileged MESSAGE_CONTENT intents.
func needsMessages(specs []relaySpec) bool {
	for _, s := range specs {
		if s.commands {
			return true
		}
	}
	return false
}

// relays runs every console relay of the process. They share one hub, so
// relays into the same channel share its sender and its pace.
type relays struct {
	hub    *console.Hub
	panels *panels
	policy *acl.Policy
	board  *statsBoard
	react  console.Reactor
	// audit records commands typed in relay channels next to /cmd's.
	audit func(ctx context.Context, m *discordgo.MessageCreate, serverKey, command string, err error)
	log   *slog.Logger
	// tails keeps each relayed server's last lines across restarts.
	tails store.ConsoleTails
	// shared counts the relays per channel: lines are labelled with their
	// server only where several share a channel.
	shared map[string]int

	mu        sync.Mutex
	byChannel map[string][]*console.Relay
	byKey     map[string]*console.Relay // by server key, for the alerts (alerts.go)
	wg        sync.WaitGroup
}

// start launches one goroutine per relay; each finds its server (retrying
// while the panel is unreachable) and then streams until ctx ends.
func (rs *relays) start(ctx context.Context, specs []relaySpec) {
	for _, spec := range specs {
		rs.wg.Add(1)
		go func() {
			defer rs.wg.Done()
			rs.run(ctx, spec)
		}()
	}
}

// tailEvery is how often a relay's last lines are saved: each save is one
// synced write, and a crash loses at most this much alignment (the replay
// then repeats what it cannot prove was relayed: a few duplicate lines
// rather than a gap).
const tailEvery = 30 * time.Second

// loadTail reads what the server's relay sent before the bot restarted.
func (rs *relays) loadTail(ctx context.Context, key string, log *slog.Logger) []string {
	if rs.tails == nil {
		return nil
	}
	lines, err := rs.tails.FindConsoleTail(ctx, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		log.Warn("console relay: the lines relayed before the restart cannot be read; starting afresh", "err", err)
	}
	return lines
}

// keepTail saves the relay's last lines every tailEvery until ctx ends
// (run saves them once more when the relay has stopped), so that a restart
// relays only what is new.
func (rs *relays) keepTail(ctx context.Context, key string, r *console.Relay, log *slog.Logger) {
	for backoff.Sleep(ctx, clock.Real{}, tailEvery) == nil {
		rs.saveTail(ctx, key, r, log)
	}
}

func (rs *relays) saveTail(ctx context.Context, key string, r *console.Relay, log *slog.Logger) {
	tail := r.Tail(console.TailLines)
	if rs.tails == nil || len(tail) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := rs.tails.ReplaceConsoleTail(ctx, key, tail, time.Now()); err != nil {
		log.Warn("console relay: its last lines were not saved", "err", err)
	}
}

// stop waits for the relays (their context already cancelled) and for the
// channel senders to post what they hold.
func (rs *relays) stop() {
	rs.wg.Wait()
	rs.hub.Wait()
}

func (rs *relays) run(ctx context.Context, spec relaySpec) {
	log := rs.log.With("relay", spec.ref, "channel", spec.channelID)
	t, err := rs.resolve(ctx, spec, log)
	if err != nil {
		return
	}
	r, err := rs.newRelay(t, spec, rs.loadTail(ctx, t.Key(), log))
	if err != nil {
		log.Error("console relay cannot start", "err", err)
		return
	}
	rs.register(spec.channelID, r)
	defer rs.unregister(spec.channelID, r)
	rs.keyed(t.Key(), r)
	defer rs.keyed(t.Key(), nil)
	log.Info("console relay started", "server", t.Key())
	saved := make(chan struct{})
	go func() { defer close(saved); rs.keepTail(ctx, t.Key(), r, log) }()
	if err := r.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		// The source has told the channel why; the log keeps the chain.
		log.Error("console relay stopped for good", "err", err)
	}
	<-saved
	rs.saveTail(ctx, t.Key(), r, log) // what the relay ended with
}

// resolve finds the relayed server, retrying with backoff while the panel
// cannot say; a server the panel does not know is reported once and given up.
func (rs *relays) resolve(ctx context.Context, spec relaySpec, log *slog.Logger) (panel.Target, error) {
	retry := backoff.Policy{Base: resolveFirst, Max: resolveMax, Jitter: 0.5}
	for attempt := 0; ; attempt++ {
		t, err := rs.panels.registry.Resolve(ctx, spec.ref)
		switch {
		case err == nil:
			return t, nil
		case errors.Is(err, panel.ErrNotFound), errors.Is(err, panel.ErrAmbiguous):
			log.Error("console relay: the server is not on the panel; check RELAY_SERVER or the relay in the config file", "err", err)
			return panel.Target{}, err
		}
		wait := retry.Delay(attempt)
		log.Warn("console relay: cannot reach the panel yet, retrying", "in", wait, "err", err)
		if err := backoff.Sleep(ctx, clock.Real{}, wait); err != nil {
			return panel.Target{}, err
		}
	}
}

func (rs *relays) register(channelID string, r *console.Relay) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.byChannel[channelID] = append(rs.byChannel[channelID], r)
}

// unregister forgets a relay that stopped, so the channel's messages are no
// longer read as console commands for a console that is gone.
func (rs *relays) unregister(channelID string, r *console.Relay) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	list := rs.byChannel[channelID]
	for i, x := range list {
		if x == r {
			rs.byChannel[channelID] = append(list[:i:i], list[i+1:]...)
			return
		}
	}
}

// onMessage hands a channel message to the relays of that channel, which act
// on admins' console commands and ignore everything else.
func (rs *relays) onMessage(ctx context.Context) func(*discordgo.Session, *discordgo.MessageCreate) {
	return func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		if m == nil || m.Message == nil {
			return
		}
		rs.mu.Lock()
		list := rs.byChannel[m.ChannelID]
		rs.mu.Unlock()
		for _, r := range list {
			r.HandleMessage(ctx, m)
		}
	}
}

// newRelay builds the console source the panel kind speaks and the relay
// around it.
func (rs *relays) newRelay(t panel.Target, spec relaySpec, tail []string) (*console.Relay, error) {
	raw := rs.panels.raw[t.Panel]
	opts := []console.RelayOption{console.WithRelayLogger(rs.log)}
	if rs.shared[spec.channelID] > 1 {
		opts = append(opts, console.WithLabel(t.Server.Name))
	}
	var src console.Source
	switch c := raw.(type) {
	case panel.SocketCredentialer:
		w, err := wings.New(c, t.Server.ID, rs.panels.urls[t.Panel], wings.WithLogger(rs.log), wings.WithTail(tail))
		if err != nil {
			return nil, err
		}
		src = w
		if spec.commands {
			key := t.Key()
			opts = append(opts, console.WithCommands(w, relayAdmins{policy: rs.policy, key: key}), console.WithReactor(rs.react),
				console.WithAudit(func(ctx context.Context, m *discordgo.MessageCreate, cmd string, err error) {
					rs.audit(ctx, m, key, cmd, err)
				}))
		}
	case *shardlyn.Client:
		s, err := shardlynlog.New(c, t.Server.ID, shardlynlog.WithLogger(rs.log))
		if err != nil {
			return nil, err
		}
		src = s
	default:
		return nil, fmt.Errorf("%s panels have no live console to relay", raw.Kind())
	}
	r, err := rs.hub.NewRelay(spec.channelID, src, opts...)
	if err == nil {
		rs.board.set(t, r.Latest)
	}
	return r, err
}

// relayAdmins lets the relay ask whether the author of a channel message is
// an admin of the relayed server.
type relayAdmins struct {
	policy *acl.Policy
	key    string
}

// IsAdmin applies the admin tier of the server, overrides included.
func (a relayAdmins) IsAdmin(guildID, userID string, roles []string) bool {
	return guildID != "" && a.policy.Check(acl.Member{UserID: userID, Roles: roles}, acl.Admin, a.key) == nil
}
