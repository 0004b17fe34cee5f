package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
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

// check validates the configuration, then probes the panel (list servers)
// and Discord (who am I), printing one line each: OK or what to fix.
func check(ctx context.Context, opts Options, cfg config.Config, file *config.File, cfgErr error) error {
	w := opts.Stdout
	if cfgErr != nil {
		fmt.Fprintf(w, "config:  FAILED: %v\n", cfgErr)
		return cfgErr
	}
	fmt.Fprintf(w, "config:  OK (%s)\n", aclSummary(cfg, anyoneMayAct(cfg, file)))
	ok := checkStore(ctx, w, cfg)
	ok = checkPanels(ctx, w, file, opts.Now) && ok
	ok = checkDiscord(w, cfg, opts.Transport) && ok
	if !ok {
		return ErrCheckFailed
	}
	return nil
}

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
func checkPanels(ctx context.Context, w io.Writer, file *config.File, now func() time.Time) bool {
	ps, err := newPanels(file, nil, nil, now, nil, statusTTL)
	if err != nil {
		fmt.Fprintf(w, "panel:   FAILED: %v\n", err)
		return false
	}
	all := true
	for _, name := range ps.order {
		c := ps.raw[name]
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		servers, err := c.Servers(cctx)
		cancel()
		if err != nil {
			fmt.Fprintf(w, "panel:   FAILED: %s %s: %s (%v)\n", name, c.Kind(), panel.UserMessage(err), err)
			all = false
			continue
		}
		fmt.Fprintf(w, "panel:   OK: %s %s, %d servers visible\n", name, c.Kind(), len(servers))
	}
	return all
}

func checkDiscord(w io.Writer, cfg config.Config, transport http.RoundTripper) bool {
	s, err := newSession(cfg, transport, discordgo.IntentsGuilds)
	if err != nil {
		fmt.Fprintf(w, "discord: FAILED: %v\n", err)
		return false
	}
	s.Client.Timeout = checkTimeout
	u, err := s.User("@me")
	if err != nil {
		fmt.Fprintf(w, "discord: FAILED: %s\n", discordAdvice(err))
		return false
	}
	fmt.Fprintf(w, "discord: OK: logged in as %s (%s)\n", u.Username, u.ID)
	return true
}

// discordAdvice says what to do about a failed Discord call, without the
// request details discordgo puts in its errors.
func discordAdvice(err error) string {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		switch re.Response.StatusCode {
		case http.StatusUnauthorized:
			return "Discord refused DISCORD_TOKEN: reset the bot token in the developer portal and set it again"
		case http.StatusTooManyRequests:
			return "Discord is rate-limiting this machine: wait a few minutes and run the check again"
		default:
			return fmt.Sprintf("Discord answered HTTP %d: check DISCORD_API_URL", re.Response.StatusCode)
		}
	}
	return "cannot reach Discord (" + err.Error() + "): check the network and DISCORD_API_URL"
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
