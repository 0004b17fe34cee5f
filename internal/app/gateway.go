package app

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

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
	if b.closing || b.reconnecting || !b.online {
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

// connect opens the gateway and registers the commands, retrying with
// backoff (and a log line per attempt) while Discord cannot be reached: a
// bot started before the network is up, or during an outage, comes up by
// itself. It gives up only on what cannot heal: the token or the intents
// refused. A ctx that ends first is no error (SIGTERM during start-up).
func (b *bot) connect(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		err := b.session.Open()
		if err == nil {
			if err = b.register(); err == nil {
				b.mu.Lock()
				b.online = true
				b.mu.Unlock()
				return nil
			}
			_ = b.session.Close()
		}
		if cannotHeal(err) {
			return gatewayAdvice(err)
		}
		wait := gatewayRetry.Delay(attempt)
		b.log.Warn("cannot reach Discord yet; retrying", "attempt", attempt+1, "in", wait, "err", err)
		if backoff.Sleep(ctx, clock.Real{}, wait) != nil {
			return nil
		}
	}
}

// cannotHeal tells the refusals that retrying cannot mend: the gateway
// closing for an invalid token, shard or intents (4004, 4010–4014), or the
// REST API answering 401 or 403.
func cannotHeal(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code == 4004 || ce.Code >= 4010 && ce.Code <= 4014
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusForbidden
	}
	return false
}
