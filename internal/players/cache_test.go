package players_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/players"
)

// clock is a settable clock for the TTL.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestCacheTTLAndSingleFlight(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	q := players.QuerierFunc(func(ctx context.Context, addr string) (players.Count, error) {
		calls.Add(1)
		<-release
		return players.Count{Online: 1, Max: 2}, nil
	})
	clk := &clock{t: time.Unix(1e9, 0)}
	c, err := players.NewCache(map[players.Protocol]players.Querier{players.Minecraft: q}, players.WithClock(clk.now))
	require.NoError(t, err)
	target := players.Target{Protocol: players.Minecraft, Address: "a:1"}
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Get(context.Background(), target)
			assert.NoError(t, err)
			assert.Equal(t, 1, got.Online)
		}()
	}
	require.Eventually(t, func() bool { return calls.Load() == 1 }, time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	_, _ = c.Get(context.Background(), target)
	assert.Equal(t, int32(1), calls.Load(), "fresh answer is cached")
	clk.add(players.DefaultTTL)
	_, _ = c.Get(context.Background(), target)
	assert.Equal(t, int32(2), calls.Load(), "stale answer is asked again")
}

func TestCacheTimeout(t *testing.T) {
	q := players.QuerierFunc(func(ctx context.Context, addr string) (players.Count, error) {
		<-ctx.Done()
		return players.Count{}, ctx.Err()
	})
	c, err := players.NewCache(map[players.Protocol]players.Querier{players.A2S: q}, players.WithTimeout(20*time.Millisecond))
	require.NoError(t, err)
	_, err = c.Get(context.Background(), players.Target{Protocol: players.A2S, Address: "a:1"})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestCacheErrors(t *testing.T) {
	c, err := players.NewCache(nil)
	require.NoError(t, err)
	_, err = c.Get(context.Background(), players.Target{Protocol: players.A2S})
	assert.ErrorIs(t, err, players.ErrNoAddress)
	_, err = c.Get(context.Background(), players.Target{Protocol: players.A2S, Address: "a:1"})
	assert.ErrorIs(t, err, players.ErrUnknownProtocol)
	_, err = players.NewCache(nil, players.WithTimeout(0))
	assert.Error(t, err)
}

// Auto keeps the first answer and fails only when every protocol fails.
func TestAuto(t *testing.T) {
	fail := players.QuerierFunc(func(context.Context, string) (players.Count, error) { return players.Count{}, errors.New("no") })
	ok := players.QuerierFunc(func(context.Context, string) (players.Count, error) { return players.Count{Online: 4}, nil })
	c, err := players.NewCache(map[players.Protocol]players.Querier{players.Minecraft: fail, players.A2S: ok})
	require.NoError(t, err)
	got, err := c.Get(context.Background(), players.Target{Protocol: players.Auto, Address: "a:1"})
	require.NoError(t, err)
	assert.Equal(t, 4, got.Online)
	_, err = players.Any{fail, fail}.Query(context.Background(), "a:1")
	assert.Error(t, err)
}

func TestParseProtocol(t *testing.T) {
	p, err := players.ParseProtocol(" Minecraft ")
	require.NoError(t, err)
	assert.Equal(t, players.Minecraft, p)
	_, err = players.ParseProtocol("quake")
	assert.Error(t, err)
}
