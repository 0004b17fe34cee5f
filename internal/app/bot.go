package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/commands"
	"github.com/panelbot/panelbot/internal/config"
)

// Timeouts of the bot's lifecycle.
const (
	// discordHTTPTimeout bounds one REST call to Discord (discordgo waits
	// out rate limits outside of it).
	discordHTTPTimeout = 20 * time.Second
	// drainTimeout bounds how long shutdown lets interactions in flight
	// finish their panel calls; past it they are cancelled and get
	// cancelGrace to tell their users.
	drainTimeout = 10 * time.Second
	cancelGrace  = 5 * time.Second
	// shuttingDownMessage answers interactions that arrive during shutdown.
	shuttingDownMessage = "The bot is restarting. Try again in a minute."
)

// bot is one connected Discord session and what answers its interactions.
type bot struct {
	cfg     config.Config
	log     *slog.Logger
	session *discordgo.Session
	router  *commands.Router

	// work is the context of interaction handlers. It is not the process
	// context: a signal must let the panel calls in flight finish (a power
	// signal cancelled halfway leaves the user guessing), so shutdown
	// cancels it only once drainTimeout has passed.
	work       context.Context
	cancelWork context.CancelFunc

	// relays stream consoles into channels; nil when none is configured.
	relays *relays
	// memory is the store and the watcher (memory.go).
	memory *memory
	specs  []relaySpec
	// dashboards serves /dashboard (dashboards.go).
	dashboards *dashboards
	// schedules serves /schedule and runs them (schedules.go).
	schedules *schedules

	mu           sync.Mutex
	closing      bool
	reconnecting bool
	online       bool // the gateway opened once: from then on it is reconnected
	inflight     sync.WaitGroup

	// gatewayCtx ends the gateway's reconnect loop (gateway.go) at shutdown.
	gatewayCtx    context.Context
	stopReconnect context.CancelFunc
	gateway       sync.WaitGroup
}

// newSession builds a discordgo session whose REST calls go to the configured
// API base. Nothing is connected yet.
func newSession(cfg config.Config, next http.RoundTripper, intents discordgo.Intent) (*discordgo.Session, error) {
	s, err := discordgo.New("Bot " + cfg.DiscordToken)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	s.Client = &http.Client{Transport: newAPITransport(cfg.DiscordAPIURL, next), Timeout: discordHTTPTimeout}
	s.Identify.Intents = intents
	// The bot reconnects the gateway itself: see gateway.go.
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = true
	s.StateEnabled = false
	// discordgo prints to the standard logger; its debug level would dump
	// the identify payload, token included, so it stays at errors only.
	s.LogLevel = discordgo.LogError
	return s, nil
}

// onInteraction runs the router for one interaction and counts it as in
// flight, so shutdown can wait for it. discordgo calls it on its own goroutine.
func (b *bot) onInteraction() func(*discordgo.Session, *discordgo.InteractionCreate) {
	return func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if ic == nil || ic.Interaction == nil {
			return
		}
		b.mu.Lock()
		if b.closing {
			b.mu.Unlock()
			b.refuseWhileClosing(s, ic.Interaction)
			return
		}
		b.inflight.Add(1)
		b.mu.Unlock()
		defer b.inflight.Done()
		b.router.Handle(b.work, s, ic.Interaction)
	}
}

func (b *bot) refuseWhileClosing(s *discordgo.Session, i *discordgo.Interaction) {
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		return
	}
	err := s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         shuttingDownMessage,
			Flags:           discordgo.MessageFlagsEphemeral,
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
		},
	})
	if err != nil {
		b.log.Warn("could not answer an interaction during shutdown", "err", err)
	}
}

// register overwrites the bot's commands with the current definitions: in
// one guild when configured (instant), else globally (Discord may take a
// while to show them).
func (b *bot) register() error {
	appID := b.applicationID()
	if appID == "" {
		return errors.New("discord did not say which application the bot belongs to (READY had no application)")
	}
	_, err := b.session.ApplicationCommandBulkOverwrite(appID, b.cfg.GuildID, commands.Definitions())
	if err != nil {
		return fmt.Errorf("register slash commands: %w", err)
	}
	scope := "globally (they may take up to an hour to appear)"
	if b.cfg.GuildID != "" {
		scope = "in guild " + b.cfg.GuildID
	}
	b.log.Info("slash commands registered " + scope)
	return nil
}

func (b *bot) applicationID() string {
	st := b.session.State
	st.RLock()
	defer st.RUnlock()
	if st.Application != nil {
		return st.Application.ID
	}
	return ""
}

// shutdown stops taking interactions, lets those in flight finish (bounded:
// past drainTimeout they are cancelled and get cancelGrace to tell their
// users), stops the relays (stopRelays) and lets their senders post what
// they hold, then closes the gateway.
func (b *bot) shutdown(stopRelays context.CancelFunc) {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	if !waitFor(done, drainTimeout) {
		b.log.Warn("cancelling interactions still in flight", "after", drainTimeout)
		b.cancelWork()
		if !waitFor(done, cancelGrace) {
			b.log.Warn("gave up waiting for interactions in flight")
		}
	}
	b.cancelWork()
	stopRelays()
	if b.relays != nil {
		b.relays.stop()
	}
	b.stopGateway()
}

// waitFor reports whether done closed within d.
func waitFor(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
