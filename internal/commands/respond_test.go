package commands

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

// slowEnv makes the panel block until release is closed, with a tiny
// DeferAfter, and lets the test hear each Discord call.
func slowEnv(t *testing.T, fail error) (*env, chan struct{}) {
	release := make(chan struct{})
	e := setup(t, func(c *Config, p *paneltest.Client) {
		c.DeferAfter = time.Millisecond
		p.ResourcesFn = func(context.Context, string) (panel.Resources, error) {
			<-release
			return panel.Resources{State: panel.StateOffline, Live: true}, fail
		}
		power := p.PowerFn
		p.PowerFn = func(ctx context.Context, id string, s panel.Signal) error {
			<-release
			if fail != nil {
				return fail
			}
			return power(ctx, id, s)
		}
	})
	e.sess.notify = make(chan string, 10)
	return e, release
}

// run handles i in the background, waits for the deferral, releases the
// panel and waits for the end.
func run(t *testing.T, e *env, release chan struct{}, i *discordgo.Interaction) {
	done := make(chan struct{})
	go func() { e.handle(i); close(done) }()
	require.Equal(t, "respond", <-e.sess.notify, "the deferral comes first")
	close(release)
	<-done
}

func TestSlowPublicDeferredThenEdited(t *testing.T) {
	e, release := slowEnv(t, nil)
	run(t, e, release, slash(viewer(), cmdStatus, opt(optServer, "abc123")))
	as := e.sess.answers()
	require.Len(t, as, 2)
	assert.Equal(t, discordgo.InteractionResponseDeferredChannelMessageWithSource, as[0].resp.Type)
	assert.Nil(t, as[0].resp.Data, "a public deferral")
	require.Equal(t, "edit", as[1].method)
	require.Len(t, *as[1].edit.Embeds, 1)
	assert.Equal(t, colourOffline, (*as[1].edit.Embeds)[0].Color)
	assert.Len(t, buttons(*as[1].edit.Components), 4)
}

func TestSlowPublicErrorBecomesPrivate(t *testing.T) {
	e, release := slowEnv(t, &panel.Error{Class: panel.ErrUnavailable})
	run(t, e, release, slash(viewer(), cmdStatus, opt(optServer, "abc123")))
	assert.Equal(t, []string{"respond", "delete", "followup"}, e.sess.methods())
	f := e.sess.answers()[2].params
	assert.NotZero(t, f.Flags&discordgo.MessageFlagsEphemeral)
	assert.Contains(t, f.Content, "not answering properly")
}

func TestSlowPublicErrorWhenDeleteFails(t *testing.T) {
	e, release := slowEnv(t, &panel.Error{Class: panel.ErrUnavailable})
	e.sess.DeleteFn = func() error { return errors.New("404") }
	run(t, e, release, slash(viewer(), cmdStatus, opt(optServer, "abc123")))
	assert.Equal(t, []string{"respond", "delete", "edit"}, e.sess.methods())
	assert.Contains(t, *e.sess.answers()[2].edit.Content, "not answering properly")
}

func TestSlowPrivateDeferred(t *testing.T) {
	e, release := slowEnv(t, nil)
	run(t, e, release, powerSlash(operator(), "abc123", "start"))
	as := e.sess.answers()
	require.Len(t, as, 2)
	assert.Equal(t, discordgo.InteractionResponseDeferredChannelMessageWithSource, as[0].resp.Type)
	require.NotNil(t, as[0].resp.Data)
	assert.NotZero(t, as[0].resp.Data.Flags&discordgo.MessageFlagsEphemeral)
	assert.Contains(t, *as[1].edit.Content, "Start sent")
}

func TestSlowPrivateErrorEditsOriginal(t *testing.T) {
	e, release := slowEnv(t, &panel.Error{Class: panel.ErrConflict})
	run(t, e, release, powerSlash(operator(), "abc123", "start"))
	assert.Equal(t, []string{"respond", "edit", "send"}, e.sess.methods())
	assert.Contains(t, *e.sess.answers()[1].edit.Content, "suspended or busy")
}

func TestSlowConfirmDeferredUpdate(t *testing.T) {
	e, release := slowEnv(t, nil)
	id, err := customID{verb: verbConfirm, key: "main/abc123", signal: panel.SignalStop, expiry: e.clock.Now().Unix() + 30}.encode()
	require.NoError(t, err)
	run(t, e, release, click(admin(), id, true))
	as := e.sess.answers()
	require.Len(t, as, 2)
	assert.Equal(t, discordgo.InteractionResponseDeferredMessageUpdate, as[0].resp.Type)
	assert.Contains(t, *as[1].edit.Content, "Stop sent")
	assert.Empty(t, *as[1].edit.Components, "the prompt's buttons go")
}

func TestSlowConfirmErrorEditsPrompt(t *testing.T) {
	e, release := slowEnv(t, &panel.Error{Class: panel.ErrConflict})
	id, err := customID{verb: verbConfirm, key: "main/abc123", signal: panel.SignalKill, expiry: e.clock.Now().Unix() + 30}.encode()
	require.NoError(t, err)
	run(t, e, release, click(admin(), id, true))
	assert.Equal(t, []string{"respond", "edit", "send"}, e.sess.methods())
}

func TestDeferralFailureStillWaits(t *testing.T) {
	e, release := slowEnv(t, nil)
	e.sess.RespondFn = func(*discordgo.InteractionResponse) error { return errors.New("unknown interaction") }
	run(t, e, release, powerSlash(operator(), "abc123", "start"))
	assert.Equal(t, []string{"respond", "send"}, e.sess.methods(), "no edit without a deferral; audit still posted")
	assert.Len(t, e.powerCalls(), 1)
}

func TestDefaults(t *testing.T) {
	e := setup(t, func(c *Config, _ *paneltest.Client) { c.DeferAfter = 0 })
	assert.Equal(t, DefaultDeferAfter, e.router.deferAfter)
	assert.Equal(t, DefaultCallTimeout, e.router.callTO)
	assert.Equal(t, DefaultConfirmTTL, e.router.confirmTTL)
	assert.Equal(t, DefaultAutocompleteBudget, e.router.acBudget)
}

func TestShutdownStillAnswers(t *testing.T) {
	e := setup(t, func(_ *Config, p *paneltest.Client) {
		p.PowerFn = func(ctx context.Context, _ string, _ panel.Signal) error { <-ctx.Done(); return ctx.Err() }
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e.router.Handle(ctx, e.sess, powerSlash(operator(), "abc123", "start"))
	c := only(t, e.sess)
	assertEphemeral(t, c)
	assert.Equal(t, msgShuttingDown, text(t, c))
}

// TestDeferralAlreadyAcknowledged: discordgo resends a callback that met a
// 502; when the first had arrived, Discord answers 40060. The interaction is
// deferred all the same, and the user must still get the answer.
func TestDeferralAlreadyAcknowledged(t *testing.T) {
	e, release := slowEnv(t, nil)
	e.sess.RespondFn = func(*discordgo.InteractionResponse) error {
		return &discordgo.RESTError{
			Response:     &http.Response{StatusCode: http.StatusBadRequest, Status: "400 Bad Request"},
			ResponseBody: []byte(`{"message":"Interaction has already been acknowledged.","code":40060}`),
			Message:      &discordgo.APIErrorMessage{Code: discordgo.ErrCodeInteractionHasAlreadyBeenAcknowledged},
		}
	}
	run(t, e, release, powerSlash(operator(), "abc123", "start"))
	assert.Equal(t, []string{"respond", "edit", "send"}, e.sess.methods())
	assert.Contains(t, *e.sess.answers()[1].edit.Content, "Start sent")
}

// TestDiscordErrorsKeepTheInteractionTokenOut: a network error quotes the
// URL, and the interaction routes carry the token (setup's cleanup checks
// the log never holds it).
func TestDiscordErrorsKeepTheInteractionTokenOut(t *testing.T) {
	netErr := func(route string) error {
		return &url.Error{Op: "Post", URL: "https://discord.com/api/v9/" + route, Err: errors.New("connection reset by peer")}
	}
	t.Run("defer and edit", func(t *testing.T) {
		e, release := slowEnv(t, nil)
		e.sess.RespondFn = func(*discordgo.InteractionResponse) error {
			return netErr("interactions/900000000000000001/" + interactionToken + "/callback")
		}
		run(t, e, release, powerSlash(operator(), "abc123", "start"))
		assert.Contains(t, e.logs.String(), "connection reset by peer")
	})
	t.Run("autocomplete", func(t *testing.T) {
		e := setup(t)
		e.sess.RespondFn = func(*discordgo.InteractionResponse) error {
			return netErr("interactions/900000000000000001/" + interactionToken + "/callback")
		}
		e.handle(typing(viewer(), cmdStatus, ""))
		assert.Contains(t, e.logs.String(), "[interaction token]")
	})
}
