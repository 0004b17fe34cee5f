package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store/sqlite"
)

// checkTimeout bounds each probe of `bot check`.
const checkTimeout = 15 * time.Second

// ErrCheckFailed is returned by `bot check` when a probe failed.
var ErrCheckFailed = errors.New("check failed")

// check validates the configuration as run does (prepare is shared), then
// probes the panel (list servers) and Discord (who am I), printing one line
// each: OK or what to fix. Every configuration mistake is printed once,
// here; the error returned only says they were, so main does not repeat
// them.
func check(ctx context.Context, opts Options, cfg config.Config, file *config.File, cfgErr error) error {
	w := opts.Stdout
	var ps *panels
	if cfgErr == nil {
		_, ps, cfgErr = prepare(opts, cfg, file, nil, nil)
	}
	if cfgErr != nil {
		lines := strings.Split(cfgErr.Error(), "\n")
		for _, line := range lines {
			fmt.Fprintf(w, "config:  FAILED: %s\n", line)
		}
		return &reported{err: cfgErr, n: len(lines)}
	}
	fmt.Fprintf(w, "config:  OK (%s)\n", aclSummary(cfg, anyoneMayAct(cfg, file)))
	ok := checkStore(ctx, w, cfg)
	ok = checkPanels(ctx, w, file, ps) && ok
	ok = checkDiscord(w, cfg, opts.Transport) && ok
	if !ok {
		return ErrCheckFailed
	}
	return nil
}

// reported is a configuration error already printed line by line: it still
// matches config.ErrConfig (exit status 2), but its text only counts them.
type reported struct {
	err error
	n   int
}

func (r *reported) Error() string {
	if r.n == 1 {
		return "the configuration has a mistake, listed above"
	}
	return fmt.Sprintf("the configuration has %d mistakes, listed above", r.n)
}

func (r *reported) Unwrap() error { return r.err }

// checkStore inspects DATA_DIR and the store in it as the bot would open
// them, changing nothing.
func checkStore(ctx context.Context, w io.Writer, cfg config.Config) bool {
	info, err := sqlite.Check(ctx, cfg.DataDir)
	if err != nil {
		fmt.Fprintf(w, "store:   FAILED: %v\n", err)
		return false
	}
	fmt.Fprintf(w, "store:   OK: %s\n", info)
	return true
}

// checkPanels lists the servers of every panel, in the configured order.
func checkPanels(ctx context.Context, w io.Writer, file *config.File, ps *panels) bool {
	all := true
	for _, name := range ps.order {
		c := ps.raw[name]
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		stop := progress(w, "panel:   still waiting for "+name+"…")
		servers, err := c.Servers(cctx)
		stop()
		cancel()
		if err != nil {
			fmt.Fprintf(w, "panel:   FAILED: %s %s: %s (%v)\n", name, c.Kind(), panelAdvice(err, urlSetting(file, name)), err)
			all = false
			continue
		}
		fmt.Fprintf(w, "panel:   OK: %s %s, %d servers visible\n", name, c.Kind(), len(servers))
	}
	return all
}

// progressEvery is how often a probe that has not answered says so.
const progressEvery = 5 * time.Second

// progress prints line (with the seconds waited) every progressEvery until
// stop is called, so a silent endpoint shows progress rather than a check
// that seems to hang.
func progress(w io.Writer, line string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for waited := progressEvery; ; waited += progressEvery {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(w, "%s (%s)\n", line, waited)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// urlSetting names where the owner set a panel's address.
func urlSetting(file *config.File, name string) string {
	if file.Path == config.EnvFile(config.Config{}).Path {
		return "PANEL_URL"
	}
	return "url: of panel " + name + " in " + file.Path
}

// panelAdvice tells the owner what to fix when a panel cannot be asked:
// unlike panel.UserMessage, which speaks to Discord users, it names the
// setting to check.
func panelAdvice(err error, urlVar string) string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		return "cannot find the panel's host name: check " + urlVar
	case errors.As(err, &op):
		return "cannot connect to the panel: check " + urlVar + " and the network"
	}
	return panel.UserMessage(err)
}

// checkDiscord asks Discord who the bot is, at the URL DISCORD_API_URL
// makes of it.
func checkDiscord(w io.Writer, cfg config.Config, transport http.RoundTripper) bool {
	s, err := newSession(cfg, transport, discordgo.IntentsGuilds)
	if err != nil {
		fmt.Fprintf(w, "discord: FAILED: %v\n", err)
		return false
	}
	s.Client.Timeout = checkTimeout
	stop := progress(w, "discord: still waiting for "+strings.TrimRight(cfg.DiscordAPIURL, "/")+"…")
	u, err := s.User("@me")
	stop()
	if err != nil {
		fmt.Fprintf(w, "discord: FAILED: %s\n", discordAdvice(err, strings.TrimRight(cfg.DiscordAPIURL, "/")+"/users/@me"))
		return false
	}
	fmt.Fprintf(w, "discord: OK: logged in as %s (%s)\n", u.Username, u.ID)
	return true
}

// discordAdvice says what to do about a failed Discord call to target (the
// URL actually asked), without the request details discordgo puts in its
// errors: those name discordgo's built-in endpoint, not DISCORD_API_URL.
func discordAdvice(err error, target string) string {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		switch re.Response.StatusCode {
		case http.StatusUnauthorized:
			return "Discord refused DISCORD_TOKEN: reset the bot token in the developer portal and set it again"
		case http.StatusTooManyRequests:
			return "Discord is rate-limiting this machine: wait a few minutes and run the check again"
		default:
			return fmt.Sprintf("%s answered HTTP %d: check DISCORD_API_URL", target, re.Response.StatusCode)
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return "cannot reach Discord at " + target + " (" + err.Error() + "): check the network and DISCORD_API_URL"
}

func aclSummary(cfg config.Config, anyone bool) string {
	a := cfg.ACL
	viewers := "everyone in the guild"
	if len(a.ViewerRoles) > 0 {
		viewers = fmt.Sprintf("%d roles", len(a.ViewerRoles))
	}
	s := fmt.Sprintf("viewers: %s; operators: %d roles; admins: %d roles, %d users",
		viewers, len(a.OperatorRoles), len(a.AdminRoles), len(a.AdminUsers))
	if !anyone {
		s += "; WARNING: nobody may start or stop servers until ACL_OPERATOR_ROLES, ACL_ADMIN_ROLES or ACL_ADMIN_USERS is set"
	}
	return s
}
