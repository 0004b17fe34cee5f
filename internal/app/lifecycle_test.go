package app_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/app"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl/pterosim"
)

func TestShutdownFinishesInteractionsInFlight(t *testing.T) {
	t.Parallel()
	// holdPath is set before the bot starts: its watcher asks the panel at once.
	gate := &gatedPanel{held: make(chan struct{}), release: make(chan struct{}), holdPath: powerPath(creativeID)}
	b := startBot(t, func(s *setup) { s.panelFront = gate.wrap })

	p := b.dc.Dispatch(t, b.dc.Command(operator, "power", fakediscord.Value("server", "creative"), fakediscord.Value("action", "start")))
	<-gate.held // the power call is at the panel
	b.stop()
	require.Eventually(t, func() bool { return strings.Contains(b.logs.String(), "shutting down") }, 5*time.Second, 5*time.Millisecond)
	select {
	case err := <-b.done:
		t.Fatalf("exited with an interaction in flight: %v", err)
	default:
	}
	// An interaction arriving now is told to come back later.
	late := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "servers")))
	assert.Contains(t, text(late), "restarting")

	close(gate.release)
	m := b.reply(t, p)
	assert.Contains(t, strings.ToLower(text(m)), "start", "the interaction in flight was answered")
	assert.Equal(t, 1, b.sim.Count("POST", powerPath(creativeID)))
	b.shutdown(t)
}

// gatedPanel sits in front of the simulator and holds one route until
// released, so a test can catch the bot with a panel call in flight.
type gatedPanel struct {
	holdPath string
	held     chan struct{}
	release  chan struct{}
	once     sync.Once
}

func (g *gatedPanel) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.holdPath != "" && r.URL.Path == g.holdPath {
			g.once.Do(func() { close(g.held) })
			<-g.release
		}
		next.ServeHTTP(w, r)
	})
}

func TestDiscord429OnCallbackIsWaitedOut(t *testing.T) {
	t.Parallel()
	b := startBot(t)
	b.dc.RateLimitNext(fakediscord.Route("POST", "/interactions/{}/{}/callback"), 1, 300*time.Millisecond)
	m := b.reply(t, b.dispatch(t, b.dc.Command(viewer, "servers")))
	assert.Contains(t, text(m), "Survival")
	assert.Equal(t, 1, b.dc.RateLimited())
}

func TestCheckReportsEachPart(t *testing.T) {
	t.Parallel()
	dc := fakediscord.New(t, fakediscord.WithToken(botToken))
	sim := pterosim.New(t, pterosim.WithServers(pterosim.ServerSpec{Identifier: survivalID, Name: "Survival"}))
	env := map[string]string{
		"DISCORD_TOKEN": botToken, "DISCORD_API_URL": dc.APIBase(),
		"PANEL_URL": sim.URL(), "PANEL_API_KEY": sim.APIKey(), "DATA_DIR": filepath.Join(t.TempDir(), "data"),
	}
	var out bytes.Buffer
	err := app.Run(context.Background(), app.Options{Args: []string{"check"}, Getenv: mapEnv(env), Stdout: &out})
	require.NoError(t, err, out.String())
	assert.Contains(t, out.String(), "config:  OK")
	assert.Contains(t, out.String(), "WARNING: nobody may start or stop servers")
	assert.Contains(t, out.String(), "panel:   OK: main pterodactyl, 1 servers visible")
	assert.Contains(t, out.String(), "discord: OK")
	assert.Contains(t, out.String(), "store:   OK: "+filepath.Join(env["DATA_DIR"], "panelbot.db")+": not there yet, created at start")
	_, err = os.Stat(env["DATA_DIR"])
	assert.True(t, os.IsNotExist(err), "check creates nothing")

	env["PANEL_API_KEY"] = "ptlc_wrongwrongwrongwrong"
	env["DISCORD_TOKEN"] = "MTAw.wrong.token"
	out.Reset()
	err = app.Run(context.Background(), app.Options{Args: []string{"check"}, Getenv: mapEnv(env), Stdout: &out})
	require.ErrorIs(t, err, app.ErrCheckFailed)
	assert.Contains(t, out.String(), "panel:   FAILED")
	assert.Contains(t, out.String(), "API key")
	assert.Contains(t, out.String(), "discord: FAILED: Discord refused DISCORD_TOKEN")
	assert.NotContains(t, out.String(), "wrongwrong")
	assert.NotContains(t, out.String(), "MTAw.wrong.token")

	out.Reset()
	env["PANEL_URL"] = "ftp://panel"
	err = app.Run(context.Background(), app.Options{Args: []string{"check"}, Getenv: mapEnv(env), Stdout: &out})
	require.ErrorIs(t, err, config.ErrConfig)
	assert.True(t, strings.HasPrefix(out.String(), "config:  FAILED: PANEL_URL"), out.String())
}

func mapEnv(env map[string]string) config.Getenv {
	return func(k string) string { return env[k] }
}

func TestRelayCommandsWithoutTheIntentSayWhatToDo(t *testing.T) {
	t.Parallel()
	dc := fakediscord.New(t, fakediscord.WithToken(botToken), fakediscord.WithGuild(guildID))
	sim := pterosim.New(t)
	env := map[string]string{
		"DISCORD_TOKEN": botToken, "DISCORD_API_URL": dc.APIBase(), "PANEL_URL": sim.URL(), "PANEL_API_KEY": sim.APIKey(),
		"RELAY_CHANNEL_ID": channelID, "RELAY_SERVER": "survival", "RELAY_COMMANDS": "on", "DATA_DIR": t.TempDir(),
	}
	err := app.Run(context.Background(), app.Options{Args: []string{"run"}, Getenv: mapEnv(env)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Message Content intent")
}

// TestUnwritableDataDirStopsTheBotAtStart: the relay's spill folder cannot
// be made, so the bot stops with one line naming DATA_DIR (exit status 2).
func TestUnwritableDataDirStopsTheBotAtStart(t *testing.T) {
	t.Parallel()
	dc := fakediscord.New(t, fakediscord.WithToken(botToken), fakediscord.WithGuild(guildID))
	sim := pterosim.New(t)
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	env := map[string]string{
		"DISCORD_TOKEN": botToken, "DISCORD_API_URL": dc.APIBase(), "PANEL_URL": sim.URL(), "PANEL_API_KEY": sim.APIKey(),
		"RELAY_CHANNEL_ID": channelID, "RELAY_SERVER": "survival", "DATA_DIR": filepath.Join(file, "data"),
	}
	err := app.Run(context.Background(), app.Options{Args: []string{"run"}, Getenv: mapEnv(env)})
	require.ErrorIs(t, err, config.ErrConfig)
	assert.True(t, strings.HasPrefix(err.Error(), "DATA_DIR: "), err.Error())
	assert.Contains(t, err.Error(), "point DATA_DIR at another folder")
}

// TestStartsWhenDiscordComesBack: Discord unreachable at start-up is
// retried with a log line per attempt; the bot comes up once it answers.
func TestStartsWhenDiscordComesBack(t *testing.T) {
	t.Parallel()
	dc := fakediscord.New(t, fakediscord.WithToken(botToken), fakediscord.WithGuild(guildID))
	sim := pterosim.New(t)
	env := map[string]string{
		"DISCORD_TOKEN": botToken, "DISCORD_GUILD_ID": guildID, "DISCORD_API_URL": dc.APIBase(),
		"PANEL_URL": sim.URL(), "PANEL_API_KEY": sim.APIKey(), "DATA_DIR": t.TempDir(),
	}
	dc.RefuseConnections()
	logs := &syncBuffer{}
	ready, done := make(chan struct{}), make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		done <- app.Run(ctx, app.Options{Args: []string{"run"}, Getenv: mapEnv(env), Stderr: logs, Ready: func() { close(ready) }})
	}()
	require.Eventually(t, func() bool { return strings.Count(logs.String(), "cannot reach Discord yet") >= 2 },
		20*time.Second, 10*time.Millisecond, "a log line per attempt:\n%s", logs)
	require.NoError(t, dc.AcceptConnections())
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("the bot gave up: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("not up 30 s after Discord came back:\n%s", logs)
	}
	cancel()
	require.NoError(t, <-done)
}

// TestARefusedTokenAtStartIsFinal: what cannot heal ends the start-up.
func TestARefusedTokenAtStartIsFinal(t *testing.T) {
	t.Parallel()
	dc := fakediscord.New(t, fakediscord.WithToken(botToken))
	sim := pterosim.New(t)
	env := map[string]string{
		"DISCORD_TOKEN": "MTAw.wrong.token", "DISCORD_API_URL": dc.APIBase(),
		"PANEL_URL": sim.URL(), "PANEL_API_KEY": sim.APIKey(), "DATA_DIR": t.TempDir(),
	}
	err := app.Run(context.Background(), app.Options{Args: []string{"run"}, Getenv: mapEnv(env)})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "MTAw.wrong.token")
}
