package schedule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
)

// execute does a due run: recorded first (a crash after sending must not
// send again), then the creator is checked, then the action sent once.
func (r *Runner) execute(ctx context.Context, sc store.Schedule, a Action, run time.Time) {
	r.forget(sc.ID)
	if err := r.record(ctx, sc, run); err != nil {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, r.cfg.CallTimeout)
	defer cancel()
	if err := r.cfg.Creators.Check(cctx, sc, a); err != nil {
		why := "skipped, the creator could not be checked"
		if errors.Is(err, acl.ErrDenied) {
			why = "skipped, the creator no longer qualifies"
		}
		r.cfg.Audit.AuditSchedule(ctx, sc, "", fmt.Errorf("%s: %w", why, err))
		return
	}
	t, err := r.cfg.Targets.Resolve(cctx, sc.Server)
	if err == nil {
		err = send(cctx, t, a)
	}
	r.cfg.Audit.AuditSchedule(ctx, sc, "", err)
}

// send is the one place a scheduled action leaves the bot; never retried.
func send(ctx context.Context, t panel.Target, a Action) error {
	if a.Command != "" {
		return t.Client.Command(ctx, t.Server.ID, a.Command)
	}
	return t.Client.Power(ctx, t.Server.ID, a.Signal)
}

// warn sends one countdown point to the server's console, unless the panel
// takes no console commands or the server is offline. A failure is logged:
// the run itself still happens.
func (r *Runner) warn(ctx context.Context, sc store.Schedule, a Action, left time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.CallTimeout)
	defer cancel()
	t, err := r.cfg.Targets.Resolve(ctx, sc.Server)
	if err != nil {
		r.cfg.Log.Warn("schedules: warning not sent", "schedule", sc.ID, "error", err)
		return
	}
	if ok, why := CanWarn(ctx, t); !ok {
		r.cfg.Log.Info("schedules: warning skipped", "schedule", sc.ID, "reason", why)
		return
	}
	cmd := WarnText(r.cfg.WarnCommand(sc.Server), a, left)
	if err := t.Client.Command(ctx, t.Server.ID, cmd); err != nil {
		r.cfg.Log.Warn("schedules: warning failed", "schedule", sc.ID, "error", err)
	}
}

// CanWarn says whether a countdown can reach the server's players, and if
// not, why: its panel takes no console commands, or it is offline.
func CanWarn(ctx context.Context, t panel.Target) (bool, string) {
	f := t.Client.Features()
	if !f.Has(panel.FeatureCommand) {
		return false, fmt.Sprintf("the %s panel cannot send console commands", t.Client.Kind())
	}
	if f.Has(panel.FeatureResources) {
		res, err := t.Client.Resources(ctx, t.Server.ID)
		if err == nil && res.State == panel.StateOffline {
			return false, "the server is offline"
		}
	}
	return true, ""
}

// WarnText fills a warn_command template.
func WarnText(tmpl string, a Action, left time.Duration) string {
	return strings.NewReplacer("{action}", a.verb(), "{in}", shortDuration(left)).Replace(tmpl)
}

// verb is how the countdown names the action.
func (a Action) verb() string {
	switch a.Signal {
	case panel.SignalStart:
		return "starting"
	case panel.SignalRestart:
		return "restarting"
	case panel.SignalStop, panel.SignalKill:
		return "stopping"
	}
	return "running a command"
}
