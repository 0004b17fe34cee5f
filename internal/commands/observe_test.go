package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

// recorder is an Observer that remembers what it heard.
type recorder struct {
	mu    sync.Mutex
	seen  []string // "command result"
	first map[string]int
}

func (r *recorder) Interaction(command, result string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, command+" "+result)
}

func (r *recorder) FirstCallback(command string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d > 0 {
		r.first[command]++
	}
}

func observed(t *testing.T, mutate ...func(*Config, *paneltest.Client)) (*env, *recorder) {
	rec := &recorder{first: map[string]int{}}
	e := setup(t, append(mutate, func(c *Config, _ *paneltest.Client) { c.Observer = rec })...)
	return e, rec
}

func TestObserverHearsEveryInteractionWithBoundedLabels(t *testing.T) {
	e, rec := observed(t, func(_ *Config, c *paneltest.Client) {
		c.ResourcesFn = func(context.Context, string) (panel.Resources, error) {
			return panel.Resources{}, &panel.Error{Class: panel.ErrUnavailable, Op: "resources"}
		}
	})
	e.handle(slash(viewer(), cmdServers))
	e.handle(powerSlash(viewer(), "survival", "restart"))
	e.handle(slash(admin(), cmdStatus, opt(optServer, "survival")))
	e.handle(slash(admin(), "explode"))
	e.handle(slash(admin(), cmdStatus))
	e.handle(click(admin(), "forged/button", false))
	e.handle(typing(viewer(), cmdStatus, "sur"))
	assert.Equal(t, []string{
		"servers ok", "power denied", "status panel_error", "unknown refused",
		"status refused", "button refused", "autocomplete ok",
	}, rec.seen)
	assert.Equal(t, map[string]int{"servers": 1, "power": 1, "status": 2, "unknown": 1, "button": 1, "autocomplete": 1}, rec.first)
	for _, s := range rec.seen {
		cmd, res, _ := strings.Cut(s, " ")
		assert.Contains(t, Commands(), cmd)
		assert.Contains(t, Results(), res)
	}
}

func TestObserverHearsADiscordFailure(t *testing.T) {
	e, rec := observed(t)
	e.sess.RespondFn = func(*discordgo.InteractionResponse) error { return errors.New("connection reset") }
	e.handle(slash(viewer(), cmdServers))
	assert.Equal(t, []string{"servers discord_error"}, rec.seen)
	assert.Empty(t, rec.first, "no callback was accepted")
}

func TestResultOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, ResultOK},
		{&userError{msg: msgInternal}, ResultInternal},
		{&userError{msg: msgOutdatedButton}, ResultRefused},
		{fmt.Errorf("status: %w", &panel.Error{Class: panel.ErrRateLimited}), ResultPanelError},
		{fmt.Errorf("list: %w", context.DeadlineExceeded), ResultTimeout},
		{context.Canceled, ResultCanceled},
		{errors.New("odd"), ResultError},
	} {
		assert.Equal(t, tt.want, resultOf(tt.err), "%v", tt.err)
	}
}
