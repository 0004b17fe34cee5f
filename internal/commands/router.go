// Package commands is the bot's slash-command layer: the command definitions,
// and a Router that answers every interaction (slash commands, autocomplete,
// buttons) inside Discord's window, checks the access rules on every action,
// and records every control attempt in an audit trail.
//
// Wiring, in outline:
//
//	router, err := commands.New(commands.Config{Panels: registry, ACL: policy, AuditChannelID: id, Log: log})
//	session.ApplicationCommandBulkOverwrite(appID, guildID, commands.Definitions())
//	session.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
//		wg.Add(1)
//		go func() { defer wg.Done(); router.Handle(ctx, s, ic.Interaction) }()
//	})
//	// on shutdown: wg.Wait() — each Handle returns once its interaction is answered.
//
// What users see: /servers, /status and /history answer in the channel; /power, /cmd,
// button clicks and every error answer privately (ephemeral); Stop and Kill
// first ask for a private confirmation.
package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/trunc"
)

// Defaults and bounds for Config's durations.
const (
	DefaultDeferAfter         = 1500 * time.Millisecond
	DefaultCallTimeout        = 10 * time.Second
	DefaultConfirmTTL         = 60 * time.Second
	DefaultAutocompleteBudget = 2 * time.Second

	// maxDeferAfter leaves time for the deferral itself inside the 3 s window.
	maxDeferAfter = 2500 * time.Millisecond
	// maxCallTimeout keeps the answer inside the 15-minute interaction token.
	maxCallTimeout = 14 * time.Minute
	maxConfirmTTL  = time.Hour
	// discordSlack is added to CallTimeout to bound the Discord calls of one
	// interaction (deferral, edit, follow-up, audit post).
	discordSlack = 30 * time.Second
	// auditSlots bounds how many audit posts may be in flight; beyond it a
	// post is dropped (the log still has the line).
	auditSlots = 8
)

// Session is the part of *discordgo.Session the router uses, with discordgo's
// own signatures so a real session satisfies it and tests can fake it.
type Session interface {
	InteractionRespond(interaction *discordgo.Interaction, resp *discordgo.InteractionResponse, options ...discordgo.RequestOption) error
	InteractionResponseEdit(interaction *discordgo.Interaction, newresp *discordgo.WebhookEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	InteractionResponseDelete(interaction *discordgo.Interaction, options ...discordgo.RequestOption) error
	FollowupMessageCreate(interaction *discordgo.Interaction, wait bool, data *discordgo.WebhookParams, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
}

// Panels is what the router needs from the panel registry; *panel.Registry
// satisfies it.
type Panels interface {
	Targets(ctx context.Context) ([]panel.Target, error)
	Resolve(ctx context.Context, ref string) (panel.Target, error)
	// Cached is the last list fetched, however old; nil when none was.
	Cached() []panel.Target
}

// Config holds the router's dependencies. Zero durations take the defaults.
type Config struct {
	Panels Panels      // required
	ACL    *acl.Policy // required: there is no implicit policy
	// AuditChannelID, when set, receives a line for every control attempt.
	AuditChannelID string
	Log            *slog.Logger     // nil: discard
	Now            func() time.Time // nil: time.Now; for confirm expiry
	// ConfirmTTL is how long a Stop/Kill confirmation stays valid.
	ConfirmTTL time.Duration
	// DeferAfter is how long a handler may run before the router defers.
	DeferAfter time.Duration
	// CallTimeout bounds the panel calls made for one interaction.
	CallTimeout time.Duration
	// AutocompleteBudget bounds the server-list fetch behind autocomplete.
	AutocompleteBudget time.Duration
	// Observer hears how each interaction went (nil: nobody).
	Observer Observer
	// Powers hears of each power signal before it is sent (nil: nobody).
	Powers PowerNoter
	// History is the servers' sampled history (nil: none kept; /history
	// says so and /status shows no uptime history).
	History History
	// Dashboards serves /dashboard (nil: it says it is unavailable).
	Dashboards Dashboards
	// Players counts a server's players for /status (nil: no Players
	// field).
	Players PlayerCounter
	// Schedules serves /schedule (nil: it says it is unavailable).
	Schedules Schedules
}

// Router answers interactions. It is safe for concurrent use: Handle is meant
// to run in its own goroutine per interaction.
type Router struct {
	panels     Panels
	acl        *acl.Policy
	auditTo    string
	log        *slog.Logger
	now        func() time.Time
	confirmTTL time.Duration
	deferAfter time.Duration
	callTO     time.Duration
	acBudget   time.Duration
	auditSlots chan struct{}
	obs        Observer
	powers     PowerNoter
	history    History
	dashboards Dashboards
	players    PlayerCounter
	schedules  Schedules
}

// New validates cfg and returns a Router.
func New(cfg Config) (*Router, error) {
	if cfg.Panels == nil {
		return nil, errors.New("commands: Config.Panels is required")
	}
	if cfg.ACL == nil {
		return nil, errors.New("commands: Config.ACL is required (acl.New(acl.Rules{}) lets everyone view and nobody act)")
	}
	if cfg.AuditChannelID != "" {
		if err := acl.ValidateID(cfg.AuditChannelID); err != nil {
			return nil, fmt.Errorf("commands: audit channel: %w", err)
		}
	}
	r := &Router{
		panels: cfg.Panels, acl: cfg.ACL, auditTo: cfg.AuditChannelID, log: cfg.Log, now: cfg.Now,
		auditSlots: make(chan struct{}, auditSlots), obs: cfg.Observer, powers: powerNoterOr(cfg.Powers),
		history: cfg.History, dashboards: cfg.Dashboards, players: cfg.Players, schedules: cfg.Schedules,
	}
	if r.obs == nil {
		r.obs = nopObserver{}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	if err := r.setDurations(cfg); err != nil {
		return nil, err
	}
	return r, nil
}

// setDurations applies the defaults and refuses values that would break
// Discord's deadlines.
func (r *Router) setDurations(cfg Config) error {
	var err error
	set := func(dst *time.Duration, v, def, max time.Duration, name, why string) {
		switch {
		case err != nil:
		case v == 0:
			*dst = def
		case v < 0 || v > max:
			err = fmt.Errorf("commands: %s %v out of range: use (0, %v], as %s", name, v, max, why)
		default:
			*dst = v
		}
	}
	set(&r.deferAfter, cfg.DeferAfter, DefaultDeferAfter, maxDeferAfter, "DeferAfter", "the deferral must reach Discord within 3 s")
	set(&r.callTO, cfg.CallTimeout, DefaultCallTimeout, maxCallTimeout, "CallTimeout", "the answer must come within the 15-minute token")
	set(&r.confirmTTL, cfg.ConfirmTTL, DefaultConfirmTTL, maxConfirmTTL, "ConfirmTTL", "a confirmation should not outlive the moment")
	set(&r.acBudget, cfg.AutocompleteBudget, DefaultAutocompleteBudget, maxDeferAfter, "AutocompleteBudget", "autocomplete cannot be deferred")
	return err
}

// Handle answers one interaction and returns when it is fully answered: the
// response (or deferral and edit) is sent and any audit post is done or
// dropped. Run it in a goroutine per interaction and wait for those goroutines
// on shutdown; cancelling ctx cancels the panel calls, but the user is still
// told what happened. It never panics on a malformed interaction.
func (r *Router) Handle(ctx context.Context, s Session, i *discordgo.Interaction) {
	if i == nil || s == nil {
		return
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.callTO+discordSlack)
	defer cancel()
	w := watch(s)
	switch i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		r.autocomplete(ctx, dctx, w, i)
		w.report(r.obs, CommandAutocomplete, nil)
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit:
		rq := newRequest(i)
		err := r.answer(ctx, dctx, w, rq, r.route(rq))
		w.report(r.obs, commandLabel(i), err)
		r.postAudit(dctx, s, rq)
	default:
		r.log.Warn("ignored interaction of unexpected type", "type", int(i.Type), "interaction", i.ID)
	}
}

// route picks the handler for a command or a button.
func (r *Router) route(rq *request) route {
	switch rq.i.Type {
	case discordgo.InteractionApplicationCommand:
		d, ok := commandData(rq.i)
		if !ok {
			return unknownRoute("command with no data")
		}
		rq.name = "/" + d.Name
		return r.commandRoute(d.Name)
	case discordgo.InteractionMessageComponent:
		d, ok := componentData(rq.i)
		if !ok {
			return unknownRoute("component with no data")
		}
		rq.name = "button " + trunc.Runes(d.CustomID, maxCustomIDLen)
		return r.componentRoute(d.CustomID)
	default:
		return unknownRoute("modal submit")
	}
}

func (r *Router) commandRoute(name string) route {
	switch name {
	case cmdServers:
		return route{handle: r.servers}
	case cmdStatus:
		return route{handle: r.status}
	case cmdPower:
		return route{ephemeral: true, handle: r.powerCommand}
	case cmdCmd:
		return route{ephemeral: true, handle: r.command}
	case cmdHistory:
		return route{handle: r.historyCommand}
	case cmdDashboard:
		return route{ephemeral: true, handle: r.dashboard}
	case cmdHelp:
		return route{ephemeral: true, handle: r.help}
	case cmdSchedule:
		return route{ephemeral: true, handle: r.scheduleCmd}
	default:
		return unknownRoute("unknown command " + trunc.Runes(name, 40))
	}
}

func (r *Router) componentRoute(raw string) route {
	id, err := parseCustomID(raw)
	if err != nil {
		return route{ephemeral: true, handle: func(_ context.Context, rq *request) (reply, error) {
			// Every button the bot makes is a control, so a click on one it
			// cannot read (forged, or from an older version) is a refused
			// control attempt and goes to the audit trail.
			shown := trunc.Runes(raw, maxCustomIDLen)
			rq.server = shown
			rq.audit = &auditEntry{action: "unreadable button", via: "button", server: shown}
			return reply{}, &userError{msg: msgOutdatedButton, cause: fmt.Errorf("custom ID %q: %w", shown, err)}
		}}
	}
	switch id.verb {
	case verbPower:
		return route{ephemeral: true, handle: func(ctx context.Context, rq *request) (reply, error) { return r.powerButton(ctx, rq, id) }}
	case verbConfirm:
		return route{ephemeral: true, update: true, handle: func(ctx context.Context, rq *request) (reply, error) { return r.confirm(ctx, rq, id) }}
	case verbHistory:
		return route{ephemeral: true, handle: func(ctx context.Context, rq *request) (reply, error) { return r.historyButton(ctx, rq, id) }}
	case verbScheduleCancel:
		return route{ephemeral: true, handle: func(ctx context.Context, rq *request) (reply, error) {
			return r.cancelSchedule(ctx, rq, id.schedule, "button")
		}}
	default:
		return route{ephemeral: true, update: true, handle: func(ctx context.Context, rq *request) (reply, error) { return r.cancel(rq, id) }}
	}
}

const (
	msgOutdatedButton = "This button is outdated or not valid. Run /status again for fresh buttons."
	msgUnknownCommand = "This command is unknown or outdated. Discord may take a minute to show the bot's current commands; try again shortly."
	msgMissingOption  = "The %s option is missing. Discord may still show an old version of this command; try again in a minute."
	msgNoClient       = "The bot's panel settings are wrong. Ask the bot's owner to run `bot check`."
	msgVanishedServer = "That server is no longer on the panel. Run /servers to see the current list."
	msgPanelSlow      = "The panel did not answer in time. Try again in a minute; if it persists, check the panel's status page."
	msgShuttingDown   = "The bot is restarting, so this was not finished. Check /status, then try again in a minute."
	msgInternal       = "Something went wrong inside the bot. Check /status before trying again; the bot's log has the details for its owner."
)

func unknownRoute(why string) route {
	return route{ephemeral: true, handle: func(context.Context, *request) (reply, error) {
		return reply{}, &userError{msg: msgUnknownCommand, cause: errors.New(why)}
	}}
}
