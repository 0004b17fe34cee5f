package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/discordtext"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/trunc"
)

// PlayerCounter answers how many players a server has. It must return
// within its own short timeout (players.DefaultTimeout); any error means
// the count is unknown.
type PlayerCounter interface {
	Players(ctx context.Context, t panel.Target) (players.Count, error)
}

// playersWait bounds how long /status waits for the count after the panel
// answered, whatever the PlayerCounter does.
const playersWait = players.DefaultTimeout

// maxPlayerNames is how many names the field shows before "…".
const maxPlayerNames = 10

// playersUnknown is the field's value when the game did not answer.
const playersUnknown = "unknown"

// startPlayers asks for t's players in the background, so that the query
// runs alongside the panel call; the result is read with awaitPlayers. It
// returns nil when no PlayerCounter is configured.
func (r *Router) startPlayers(ctx context.Context, t panel.Target) <-chan string {
	if r.players == nil {
		return nil
	}
	out := make(chan string, 1)
	go func() {
		c, err := r.players.Players(ctx, t)
		if errors.Is(err, players.ErrNoAddress) {
			out <- "" // nowhere to ask: no field rather than a lasting "unknown"
			return
		}
		if err != nil {
			r.log.Debug("players: unknown", "server", t.Key(), "error", err.Error())
			out <- playersUnknown
			return
		}
		out <- playersText(c)
	}()
	return out
}

// awaitPlayers returns the Players field, "unknown" when the count has not
// come within playersWait; nil without a PlayerCounter or an address.
func (r *Router) awaitPlayers(ctx context.Context, ch <-chan string) *discordgo.MessageEmbedField {
	if ch == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, playersWait)
	defer cancel()
	select {
	case s := <-ch:
		if s == "" {
			return nil
		}
		return playersField(s)
	case <-ctx.Done():
		return playersField(playersUnknown)
	}
}

func playersField(value string) *discordgo.MessageEmbedField {
	f := field("Players", value)
	f.Inline = false
	return f
}

// playersText writes "12/20: alice, bob, …", the names escaped and cut.
func playersText(c players.Count) string {
	s := fmt.Sprintf("%d/%d", c.Online, c.Max)
	if len(c.Names) == 0 {
		return s
	}
	var names []string
	for i, n := range c.Names {
		if i == maxPlayerNames {
			names = append(names, "…")
			break
		}
		names = append(names, discordtext.Escape(n, 32))
	}
	return trunc.Runes(s+": "+strings.Join(names, ", "), maxFieldValue)
}
