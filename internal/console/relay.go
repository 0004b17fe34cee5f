package console

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/trunc"
)

// DefaultCommandTimeout bounds handing one console command to the node.
const DefaultCommandTimeout = 5 * time.Second

// Relay streams one server's console into one Discord channel: lines and
// notices go to the channel's sender, the latest resource figures are kept
// for /status, and, when enabled, admins' messages in the channel are sent
// to the server as console commands.
type Relay struct {
	hub        *Hub
	channelID  string
	src        Source
	label      string
	cmd        Commander
	auth       Authorizer
	react      Reactor
	audit      AuditFunc
	prefix     string
	cmdTimeout time.Duration
	log        *slog.Logger

	clock  clock.Clock
	sender atomic.Pointer[sender] // set while Run runs

	mu       sync.Mutex
	latest   panel.Resources
	latestAt time.Time
	has      bool
	posted   panel.State  // last status posted, to skip repeats after reconnects
	tail     ring[string] // the last TailLines raw lines relayed
}

// TailLines is how many of the last relayed lines a Relay keeps: what a
// restart's replay is aligned with, and what an alert attaches.
const TailLines = 150

// RelayOption configures a Relay.
type RelayOption func(*Relay)

// maxLabel is the widest label, so a long server name cannot crowd out the
// console lines.
const maxLabel = 32

// WithLabel prefixes the relay's lines and notices with "[label] ", for a
// channel that several servers share. The label is usually a server name
// from the panel, so it is made safe rather than refused: control
// characters and line breaks are removed, backtick runs broken, and it is
// shortened to 32 characters with "…".
func WithLabel(label string) RelayOption {
	return func(r *Relay) {
		label = sanitizeNotice(label)
		if width(label) > maxLabel {
			label = cutWidth(label, maxLabel-1) + "…"
		}
		r.label = label
	}
}

// WithCommands lets admins type console commands in the channel
// (RELAY_COMMANDS=on): c sends them to the node, a decides who is an admin.
func WithCommands(c Commander, a Authorizer) RelayOption {
	return func(r *Relay) { r.cmd, r.auth = c, a }
}

// WithCommandPrefix makes only messages starting with prefix commands (the
// prefix is removed), so staff can still talk in the channel. Default: none,
// every admin message is a command.
func WithCommandPrefix(prefix string) RelayOption { return func(r *Relay) { r.prefix = prefix } }

// WithReactor lets the relay acknowledge a command the node accepted with a
// ✅ reaction. Reactions use their own rate-limit bucket, so they do not
// wait behind the console's messages.
func WithReactor(rc Reactor) RelayOption { return func(r *Relay) { r.react = rc } }

// AuditFunc records a console command an admin typed in the relay channel,
// with the error that stopped it (nil when the node took it), so that
// typed commands reach the same audit trail as /cmd.
type AuditFunc func(ctx context.Context, m *discordgo.MessageCreate, command string, err error)

// WithAudit records every command attempt from the channel (not the
// messages ignored because they are not commands or not from admins).
func WithAudit(f AuditFunc) RelayOption { return func(r *Relay) { r.audit = f } }

// WithCommandTimeout bounds handing a command to the node (default 5 s).
func WithCommandTimeout(d time.Duration) RelayOption { return func(r *Relay) { r.cmdTimeout = d } }

// WithRelayLogger sets the relay's log (default: the hub's).
func WithRelayLogger(l *slog.Logger) RelayOption { return func(r *Relay) { r.log = l } }

// NewRelay prepares a relay of src into the channel; Run starts it.
func (h *Hub) NewRelay(channelID string, src Source, opts ...RelayOption) (*Relay, error) {
	r := &Relay{hub: h, channelID: channelID, src: src, cmdTimeout: DefaultCommandTimeout, log: h.cfg.log, clock: h.cfg.clock}
	for _, o := range opts {
		o(r)
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	r.log = r.log.With("channel", channelID)
	return r, nil
}

func (r *Relay) validate() error {
	switch {
	case !isSnowflake(r.channelID):
		return fmt.Errorf("console relay channel %q: use the channel's numeric Discord ID (Developer Mode, Copy Channel ID)", trunc.Runes(r.channelID, 24))
	case r.src == nil:
		return fmt.Errorf("console relay for channel %s: no console source given", r.channelID)
	case r.cmd != nil && r.auth == nil:
		return fmt.Errorf("console relay for channel %s: console commands need an authorizer, so that only admins can type them", r.channelID)
	case r.cmdTimeout <= 0 || r.log == nil:
		return fmt.Errorf("console relay for channel %s: command timeout must be positive and logger set", r.channelID)
	}
	return nil
}

func isSnowflake(id string) bool {
	if id == "" || len(id) > 20 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// ChannelID is the Discord channel the relay posts to.
func (r *Relay) ChannelID() string { return r.channelID }

// Latest returns the last resource figures and state the console reported
// and when, for /status and the dashboard; false until the first arrives.
// It is the one place a relayed server's live state is kept.
func (r *Relay) Latest() (panel.Resources, time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.latest, r.latestAt, r.has
}

// Tail returns up to n of the last lines relayed, oldest first, as the
// node sent them.
func (r *Relay) Tail(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	n = min(n, r.tail.len())
	out := make([]string, 0, n)
	for i := r.tail.len() - n; i < r.tail.len(); i++ {
		out = append(out, *r.tail.at(i))
	}
	return out
}

// Run relays until ctx is cancelled or the source fails for good, and
// returns the source's error. The channel's sender outlives Run only to
// drain (see Hub).
func (r *Relay) Run(ctx context.Context) error {
	s := r.hub.acquire(r.channelID)
	r.sender.Store(s)
	defer func() {
		r.sender.Store(nil)
		r.hub.release(s)
	}()
	return r.src.Stream(ctx, relaySink{r: r, s: s})
}

// relaySink is the Relay seen by its source: each call lands in the
// channel's sender or in the latest figures, never waiting on Discord.
type relaySink struct {
	r *Relay
	s *sender
}

// Line posts a console line and keeps it in the relay's tail.
func (k relaySink) Line(text string) {
	k.r.mu.Lock()
	k.r.tail.push(text)
	if k.r.tail.len() > TailLines {
		k.r.tail.pop()
	}
	k.r.mu.Unlock()
	k.s.addLine(k.r.labelled(text))
}
func (k relaySink) Notice(text string) { k.s.addNotice(k.r.labelled(text)) }

// Status posts a change of power state; the node repeats the state after
// every (re)connection, which is not posted again.
func (k relaySink) Status(st panel.State) {
	r := k.r
	r.mu.Lock()
	r.latest.State, r.latestAt, r.has = st, r.clock.Now(), true
	changed := st != r.posted
	r.posted = st
	r.mu.Unlock()
	if changed {
		k.s.addNotice(r.labelled(statusText(st)))
	}
}

// Stats keeps the figures; the state they carry is the source's to report.
func (k relaySink) Stats(res panel.Resources) {
	r := k.r
	r.mu.Lock()
	if r.has && r.latest.State != "" {
		res.State = r.latest.State
	}
	r.latest, r.latestAt, r.has = res, r.clock.Now(), true
	r.mu.Unlock()
}

func (r *Relay) labelled(text string) string {
	if r.label == "" {
		return text
	}
	return "[" + r.label + "] " + text
}

// statusText is the short notice for a power state.
func statusText(st panel.State) string {
	switch st {
	case panel.StateStarting:
		return "🟡 Server is starting"
	case panel.StateRunning:
		return "🟢 Server is running"
	case panel.StateStopping:
		return "🟠 Server is stopping"
	case panel.StateOffline:
		return "🔴 Server is offline"
	default:
		return "⚪ Server state: " + strings.ToLower(string(st))
	}
}
