// Package app wires the bot together: configuration, logging, panel clients,
// the Discord session and the command router. cmd/bot's main only calls Run,
// and the end-to-end tests call the same Run against fake services.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/alert"
	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/commands"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/telemetry"
)

// Options are what Run takes from the process; tests supply their own.
type Options struct {
	Args   []string      // after the program name: "", "run", "check", "health", "version", "help"
	Getenv config.Getenv // os.Getenv in production
	// DotEnv is the .env file to read variables from when the environment
	// lacks them; "" reads none.
	DotEnv string
	Stdout io.Writer
	Stderr io.Writer // logs go here
	// Transport carries every HTTP request to Discord (nil: the default);
	// tests use it to observe traffic.
	Transport http.RoundTripper
	Now       func() time.Time // nil: time.Now
	// Ready, when set, is called once the bot is connected and its commands
	// are registered.
	Ready func()
	// MetricsReady, when set, is called with the address /healthz and
	// /metrics listen on (the port chosen, for METRICS_ADDR=host:0), once
	// they do.
	MetricsReady func(addr string)
	// WatchRound, when set, is called once with a function that runs one
	// round of the watcher at once (poll, then dashboards, alerts, the
	// history), for tests that cannot wait DASHBOARD_INTERVAL.
	WatchRound func(round func(ctx context.Context) error)
	// Clock is the schedules' clock (nil: the wall clock).
	Clock clock.Clock
}

// ErrUsage is returned for an unknown subcommand.
var ErrUsage = errors.New("usage")

const usage = `usage: bot [run|check|health|version|help]
  run      connect to Discord and serve the slash commands (the default)
  check    validate the configuration, then ask the panel and Discord who we are
  health   ask the running bot's /healthz (METRICS_ADDR): exit 0 if healthy, 1 if not
  version  print the module version, the VCS revision and the Go version
`

// Run executes the subcommand in opts.Args until ctx is cancelled (run) or
// the work is done (check). Configuration mistakes wrap config.ErrConfig so
// main can exit with status 2.
func Run(ctx context.Context, opts Options) error {
	opts = opts.withDefaults()
	sub := "run"
	if len(opts.Args) > 0 {
		sub = opts.Args[0]
	}
	switch sub {
	case "run", "check":
	case "health":
		return health(ctx, opts)
	case "version", "--version":
		return version(opts.Stdout, debug.ReadBuildInfo)
	case "help", "-h", "--help":
		fmt.Fprint(opts.Stdout, usage)
		return nil
	default:
		return fmt.Errorf("%w: unknown command %q\n%s", ErrUsage, sub, usage)
	}
	getenv, err := config.WithDotEnv(opts.Getenv, opts.DotEnv)
	if err != nil {
		return err
	}
	cfg, file, err := config.LoadAll(getenv)
	if sub == "check" {
		return check(ctx, opts, cfg, file, err)
	}
	if err != nil {
		return err
	}
	return serve(ctx, opts, cfg, file)
}

func (o Options) withDefaults() Options {
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// serve connects and answers interactions until ctx is cancelled.
func serve(ctx context.Context, opts Options, cfg config.Config, file *config.File) error {
	log := newLogger(opts.Stderr, cfg.LogLevel, cfg.LogFormat, append(cfg.Secrets(), file.Secrets()...))
	m := newMetrics(cfg)
	b, err := build(opts, cfg, file, log, m)
	if err != nil {
		return err
	}
	defer b.memory.close()
	// Listening before the gateway connects lets /healthz say it is not yet.
	srv, err := startMetrics(opts, cfg, m, b.memory.store, log)
	if err != nil {
		return err
	}
	defer stopMetrics(srv, log)
	if !anyoneMayAct(cfg, file) {
		log.Warn("nobody may start or stop servers: set ACL_OPERATOR_ROLES, ACL_ADMIN_ROLES or ACL_ADMIN_USERS")
	}
	b.session.AddHandler(b.onInteraction())
	relayCtx, stopRelays := context.WithCancel(context.Background())
	defer stopRelays()
	if b.relays != nil {
		b.session.AddHandler(b.relays.onMessage(relayCtx))
	}
	if err := b.connect(ctx); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil // stopped before Discord could be reached
	}
	if b.relays != nil {
		b.relays.start(relayCtx, b.specs)
	}
	b.memory.run(relayCtx)
	b.schedules.run(relayCtx, b.memory)
	log.Info("bot ready", "panels", len(file.Panels), "relays", len(b.specs), "guild", cfg.GuildID)
	if opts.Ready != nil {
		opts.Ready()
	}
	<-ctx.Done()
	log.Info("shutting down")
	b.shutdown(stopRelays)
	return nil
}

// build assembles the bot without connecting anything; m, when not nil,
// hears from every part.
func build(opts Options, cfg config.Config, file *config.File, log *slog.Logger, m *telemetry.Metrics) (*bot, error) {
	board := newStatsBoard(opts.Now)
	policy, ps, err := prepare(opts, cfg, file, board, m)
	if err != nil {
		return nil, err
	}
	mem, err := openMemory(context.Background(), cfg, ps.registry, log, opts.Now)
	if err != nil {
		return nil, err
	}
	powers := alert.NewPowers()
	b, err := assemble(opts, cfg, file, log, m, parts{policy: policy, board: board, panels: ps, powers: powers, history: mem.store})
	if err != nil {
		mem.close()
		return nil, err
	}
	b.memory = mem
	if err := b.dashboards.wire(b.session, mem, cfg.Watch.Interval, opts); err != nil {
		mem.close()
		return nil, err
	}
	if err := b.schedules.wire(b.session, b.router, mem, policy, ps.registry, cfg, file, opts); err != nil {
		mem.close()
		return nil, err
	}
	if b.relays != nil {
		b.relays.tails = mem.store
	}
	if err := b.startAlerts(cfg, file, powers); err != nil {
		mem.close()
		return nil, err
	}
	if opts.WatchRound != nil {
		opts.WatchRound(mem.watcher.Round)
	}
	return b, nil
}

// prepare builds the access rules and the panel clients, connecting
// nothing: every check that run makes of the configuration before it
// connects, and which `bot check` makes too.
func prepare(opts Options, cfg config.Config, file *config.File, board *statsBoard, m *telemetry.Metrics) (*acl.Policy, *panels, error) {
	policy, err := acl.New(cfg.ACL)
	if err != nil {
		return nil, nil, &config.Error{Var: "ACL_*", Problem: err.Error()}
	}
	ps, err := newPanels(file, policy, board, opts.Now, m, shareFor(cfg.Watch.Interval))
	if err != nil {
		return nil, nil, err
	}
	return policy, ps, nil
}

// parts are what build made before assemble: the access rules, the relays'
// live figures, the panels, the register of the bot's own power actions
// (for the alerts) and the servers' history (for /history and uptime).
type parts struct {
	policy  *acl.Policy
	board   *statsBoard
	panels  *panels
	powers  commands.PowerNoter
	history commands.History
}

// assemble builds the router, the session and the relays around the panels.
func assemble(opts Options, cfg config.Config, file *config.File, log *slog.Logger, m *telemetry.Metrics,
	p parts) (*bot, error) {
	policy, board, ps := p.policy, p.board, p.panels
	counter, err := newPlayerCounter(file)
	if err != nil {
		return nil, err
	}
	dash, sched := &dashboards{players: counter}, &schedules{}
	router, err := commands.New(commands.Config{
		Panels: ps.registry, ACL: policy, AuditChannelID: cfg.AuditChannelID, Log: log, Now: opts.Now,
		Observer: routerObserver(m), Powers: p.powers, History: p.history, Dashboards: dash, Players: counter,
		Schedules: sched,
	})
	if err != nil {
		return nil, err
	}
	specs := relaySpecs(cfg, file)
	intents := discordgo.IntentsGuilds
	if needsMessages(specs) {
		intents |= discordgo.IntentsGuildMessages | discordgo.IntentMessageContent
	}
	s, err := newSession(cfg, discordTransport(m, opts.Transport), intents)
	if err != nil {
		return nil, err
	}
	if m != nil {
		m.WatchGateway(s)
	}
	work, cancel := context.WithCancel(context.Background())
	b := &bot{cfg: cfg, log: log, session: s, router: router, work: work, cancelWork: cancel, specs: specs,
		dashboards: dash, schedules: sched}
	b.gatewayCtx, b.stopReconnect = context.WithCancel(context.Background())
	s.AddHandler(b.onDisconnect)
	if len(specs) > 0 {
		hub, err := console.NewHub(s, console.WithLogger(log), console.WithMemoryCap(cfg.RelayMemoryKB<<10, 0),
			console.WithDataDir(cfg.DataDir), console.WithSpillCap(int64(cfg.RelayDiskCapMB)<<20))
		if err != nil {
			cancel()
			return nil, hubError(err)
		}
		if err := watchRelays(m, hub, specs); err != nil {
			cancel()
			return nil, err
		}
		b.relays = &relays{hub: hub, panels: ps, policy: policy, board: board, react: s, log: log,
			byChannel: map[string][]*console.Relay{}, shared: map[string]int{},
			audit: func(ctx context.Context, m *discordgo.MessageCreate, key, cmd string, err error) {
				router.AuditConsoleCommand(ctx, s, m, key, cmd, err)
			}}
		for _, sp := range specs {
			b.relays.shared[sp.channelID]++
		}
	}
	return b, nil
}

// gatewayAdvice turns the gateway's refusals into what the owner must do.
func gatewayAdvice(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004:
			return fmt.Errorf("connect to Discord: Discord refused DISCORD_TOKEN: reset the bot token in the developer portal and set it again")
		case 4014:
			return fmt.Errorf("connect to Discord: the relay's console commands need the Message Content intent: " +
				"switch it on in the developer portal (Bot → Privileged Gateway Intents), or set RELAY_COMMANDS=off")
		}
	}
	return fmt.Errorf("connect to Discord: %w", err)
}

// anyoneMayAct tells whether any rule, global or a server's own, lets
// someone control a server: control is denied by default.
func anyoneMayAct(cfg config.Config, file *config.File) bool {
	grants := func(r acl.Rules) bool { return len(r.OperatorRoles)+len(r.AdminRoles)+len(r.AdminUsers) > 0 }
	if grants(cfg.ACL) {
		return true
	}
	for _, p := range file.Panels {
		for _, s := range p.Servers {
			if s.ACL != nil && grants(*s.ACL) {
				return true
			}
		}
	}
	return false
}

// hubError names the setting behind a console hub that cannot start.
func hubError(err error) error {
	var dd *console.DataDirError
	if errors.As(err, &dd) {
		return &config.Error{Var: "DATA_DIR", Problem: dd.Error()}
	}
	return &config.Error{Var: "RELAY_MEMORY_CAP_KB", Problem: err.Error()}
}
