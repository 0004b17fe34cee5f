package app

import (
	"errors"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
)

// gatewayRetry spaces the bot's attempts to reconnect the gateway.
var gatewayRetry = backoff.Policy{Base: time.Second, Max: 2 * time.Minute, Jitter: 0.5}

// The bot reconnects the gateway itself rather than through discordgo's
// ShouldReconnectOnError: that flag is read by discordgo's goroutines
// without a lock, so switching it off at shutdown was a data race, and
// leaving it on let a heartbeat write racing Close dial Discord again after
// shutdown. Every discordgo failure path closes the session first, which
// fires Disconnect; reconnecting from there, in one loop the bot owns and
// shutdown stops, keeps discordgo's RESUME (Open resumes a known session).

// onDisconnect starts the reconnect loop unless the bot is closing or one
// is running.
func (b *bot) onDisconnect(*discordgo.Session, *discordgo.Disconnect) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing || b.reconnecting {
		return
	}
	b.reconnecting = true
	b.gateway.Add(1)
	go b.reconnect()
}

func (b *bot) reconnect() {
	defer b.gateway.Done()
	defer func() { b.mu.Lock(); b.reconnecting = false; b.mu.Unlock() }()
	for attempt := 0; ; attempt++ {
		if backoff.Sleep(b.gatewayCtx, clock.Real{}, gatewayRetry.Delay(attempt)) != nil {
			return
		}
		err := b.session.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			b.log.Info("gateway reconnected")
			return
		}
		b.log.Warn("gateway: cannot reconnect yet; retrying", "err", err)
	}
}

// stopGateway ends the reconnect loop, then closes the session.
func (b *bot) stopGateway() {
	b.stopReconnect()
	b.gateway.Wait()
	if err := b.session.Close(); err != nil {
		b.log.Warn("closing the gateway", "err", err)
	}
}
