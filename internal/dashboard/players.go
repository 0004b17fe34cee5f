package dashboard

import (
	"context"
	"errors"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/watch"
)

// PlayerCounter answers how many players a server has, within its own
// short timeout; players.ErrNoAddress means the bot has nowhere to ask.
type PlayerCounter interface {
	Players(ctx context.Context, t panel.Target) (players.Count, error)
}

// playersWait bounds how long a round waits for the counts.
const playersWait = players.DefaultTimeout

// Option configures an Updater.
type Option func(*Updater)

// WithPlayers shows each running server's player count, from p.
func WithPlayers(p PlayerCounter) Option {
	return func(u *Updater) { u.players = p }
}

// counted is one server's answer.
type counted struct {
	key string
	p   *Players
}

// counts asks for the players of every running server in the round at
// once and waits at most playersWait; a server that did not answer in time
// is unknown, one without an address is left out.
func (u *Updater) counts(ctx context.Context, round []watch.Snapshot) map[string]*Players {
	if u.players == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, playersWait)
	defer cancel()
	out := make(map[string]*Players)
	ch := make(chan counted, len(round))
	asked := 0
	for _, s := range round {
		if s.Err != nil || s.Res.State != panel.StateRunning {
			continue
		}
		asked++
		out[s.Target.Key()] = &Players{Unknown: true}
		go func() { ch <- u.count(ctx, s.Target) }()
	}
	for range asked {
		select {
		case c := <-ch:
			out[c.key] = c.p
		case <-ctx.Done():
			return out
		}
	}
	return out
}

func (u *Updater) count(ctx context.Context, t panel.Target) counted {
	c, err := u.players.Players(ctx, t)
	switch {
	case errors.Is(err, players.ErrNoAddress):
		return counted{key: t.Key()}
	case err != nil:
		return counted{key: t.Key(), p: &Players{Unknown: true}}
	}
	return counted{key: t.Key(), p: &Players{Online: c.Online, Max: c.Max}}
}

// withPlayers sets each row's count from counts.
func withPlayers(rows []Row, counts map[string]*Players) []Row {
	for i := range rows {
		rows[i].Players = counts[rows[i].Key]
	}
	return rows
}
