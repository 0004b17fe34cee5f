package dashboard

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/players"
)

type counterFunc func(ctx context.Context, t panel.Target) (players.Count, error)

func (f counterFunc) Players(ctx context.Context, t panel.Target) (players.Count, error) {
	return f(ctx, t)
}

// Running servers get a count, or "unknown" when the game did not answer;
// a server with no address to ask shows no line.
func TestUpdaterPlayers(t *testing.T) {
	round := fleet(9) // s000, s004, s008 are running
	counter := counterFunc(func(_ context.Context, tg panel.Target) (players.Count, error) {
		switch tg.Server.ID {
		case "s000":
			return players.Count{Online: 3, Max: 20}, nil
		case "s004":
			return players.Count{}, errors.New("silent")
		}
		return players.Count{}, players.ErrNoAddress
	})
	e := newEnv(t)
	u, err := New(e.s, e.st, e.last, e.u.interval, e.u.log, e.u.now, WithPlayers(counter))
	require.NoError(t, err)
	rows := withPlayers(Rows(round, nil), u.counts(context.Background(), round))
	lines := func(i int) string { return strings.Join(rowLines(rows[i]), "|") }
	assert.Contains(t, lines(0), "players: 3/20")
	assert.Contains(t, lines(4), "players: unknown")
	assert.NotContains(t, lines(8), "players")
	assert.NotContains(t, lines(1), "players", "an offline server is not asked")
}

// Without a counter the rows show no players at all.
func TestUpdaterNoPlayers(t *testing.T) {
	e := newEnv(t)
	assert.Nil(t, e.u.counts(context.Background(), fleet(3)))
}

// A counter that never answers holds the round at most playersWait.
func TestUpdaterPlayersBounded(t *testing.T) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	hang := counterFunc(func(context.Context, panel.Target) (players.Count, error) {
		<-done
		return players.Count{}, nil
	})
	e := newEnv(t)
	u, err := New(e.s, e.st, e.last, e.u.interval, e.u.log, e.u.now, WithPlayers(hang))
	require.NoError(t, err)
	counts := u.counts(context.Background(), fleet(1))
	assert.Equal(t, &Players{Unknown: true}, counts["main/s000"])
}
