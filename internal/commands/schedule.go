package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/schedule"
	"github.com/panelbot/panelbot/internal/store"
)

// /schedule's names.
const (
	cmdSchedule  = "schedule"
	subAdd       = "add"
	subList      = "list"
	optWhen      = "when"
	optWarn      = "warn"
	optID        = "id"
	maxListed    = maxButtonsPerRow * (maxActionRows - 1)
	msgNoSchedul = "Schedules are not available in this bot. Ask its owner to check its log."
)

// Schedules keeps and runs the schedules; *schedule.Runner implements it.
type Schedules interface {
	Add(ctx context.Context, sc store.Schedule) (store.Schedule, error)
	List(ctx context.Context) ([]store.Schedule, error)
	Find(ctx context.Context, id int64) (store.Schedule, error)
	Remove(ctx context.Context, id int64) error
	// NextRun spells when sc next runs, in the bot's zone.
	NextRun(sc store.Schedule) (string, bool)
}

// scheduleCommand is /schedule add|list|remove.
func scheduleCommand() *discordgo.ApplicationCommand {
	str := func(name, desc string, required bool, max int) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString,
			Name: name, Description: desc, Required: required, MaxLength: max}
	}
	action := actionOption()
	action.Choices = append(action.Choices, &discordgo.ApplicationCommandOptionChoice{Name: schedule.ActionCommand, Value: schedule.ActionCommand})
	minID := 1.0
	return command(cmdSchedule, "Run a power action or console command at set times.",
		&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: subAdd,
			Description: "Schedule an action on a server.", Options: []*discordgo.ApplicationCommandOption{
				str(optServer, "The server's name or identifier.", true, 100), action,
				str(optWhen, "daily 04:00, every 6h, or a cron expression (5 fields).", true, 100),
				str(optWarn, "Countdown before the run, e.g. 10m,5m,1m, or none.", false, 60),
				str(optCommand, "The console command, for the command action.", false, 2000),
			}},
		&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: subList,
			Description: "List the schedules, with Cancel buttons."},
		&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: subRemove,
			Description: "Remove a schedule.", Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionInteger, Name: optID, Required: true, MinValue: &minID,
				Description: "The schedule's number, from /schedule list."}}})
}

// scheduleCmd answers /schedule.
func (r *Router) scheduleCmd(ctx context.Context, rq *request) (reply, error) {
	sub := scheduleSub(rq)
	if r.schedules == nil {
		rq.audit = &auditEntry{action: "schedule " + sub.Name, via: "/schedule", server: "-"}
		return reply{}, &userError{msg: msgNoSchedul, cause: errors.New("no schedules configured")}
	}
	switch sub.Name {
	case subAdd:
		return r.addSchedule(ctx, rq, sub)
	case subList:
		return r.listSchedules(ctx, rq)
	case subRemove:
		id, _ := subOption(sub, optID).(float64)
		return r.cancelSchedule(ctx, rq, int64(id), "/schedule remove")
	}
	return reply{}, &userError{msg: msgUnknownCommand, cause: errors.New("/schedule without a known subcommand")}
}

// scheduleSub is the sub-command picked; Name "?" when none.
func scheduleSub(rq *request) *discordgo.ApplicationCommandInteractionDataOption {
	d, ok := commandData(rq.i)
	if ok && len(d.Options) == 1 && d.Options[0] != nil && d.Options[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		return d.Options[0]
	}
	return &discordgo.ApplicationCommandInteractionDataOption{Name: "?"}
}

// subOption is a sub-command's option value; nil when absent.
func subOption(sub *discordgo.ApplicationCommandInteractionDataOption, name string) any {
	for _, o := range sub.Options {
		if o != nil && o.Name == name {
			return o.Value
		}
	}
	return nil
}

// subString is a sub-command's string option; "" when absent.
func subString(sub *discordgo.ApplicationCommandInteractionDataOption, name string) string {
	s, _ := subOption(sub, name).(string)
	return s
}

// addSchedule checks the creator holds the action's tier on the server,
// then stores the schedule.
func (r *Router) addSchedule(ctx context.Context, rq *request, sub *discordgo.ApplicationCommandInteractionDataOption) (reply, error) {
	ref, name, cmd := subString(sub, optServer), subString(sub, optAction), subString(sub, optCommand)
	rq.audit = &auditEntry{action: "schedule add " + name, via: "/schedule", server: ref, command: cmd}
	a, err := schedule.ParseAction(name, cmd)
	if err != nil {
		return reply{}, &userError{msg: "Pick an action from the list; the command action needs a command, the others none.", cause: err}
	}
	t, err := r.target(ctx, rq, ref, schedule.Tier(a))
	if err != nil {
		return reply{}, err
	}
	rq.audit.server = t.Key()
	if a.Command != "" && !t.Client.Features().Has(panel.FeatureCommand) {
		return reply{}, &userError{msg: fmt.Sprintf("%s is on a %s panel, which cannot send console commands.",
			escape(t.Label(), 100), t.Client.Kind()), cause: fmt.Errorf("%s lacks %s", t.Key(), panel.FeatureCommand)}
	}
	sc, err := r.newSchedule(rq, sub, a)
	if err != nil {
		return reply{}, err
	}
	if sc, err = r.schedules.Add(ctx, sc); err != nil {
		return reply{}, fmt.Errorf("add schedule: %w", err)
	}
	rq.audit.outcome = fmt.Sprintf("added as schedule %d (%s)", sc.ID, sc.When)
	text := fmt.Sprintf("Schedule %d: %s **%s**, %s.", sc.ID, a.Name(), escape(t.Label(), 200), r.describe(sc))
	if ok, why := schedule.CanWarn(ctx, t); len(sc.Warnings) > 0 && !ok {
		text += " The countdown will be skipped: " + why + "."
	}
	return say(text, true), nil
}

// newSchedule reads when and warn into a schedule for the request's member.
func (r *Router) newSchedule(rq *request, sub *discordgo.ApplicationCommandInteractionDataOption, a schedule.Action) (store.Schedule, error) {
	spec, err := schedule.ParseSpec(subString(sub, optWhen))
	if err != nil {
		return store.Schedule{}, &userError{msg: "Write when as `daily 04:00`, `every 6h` (at least 1m) or a five-field cron expression such as `0 4 * * 1`.", cause: err}
	}
	warn := schedule.DefaultWarnings(a)
	if w := subString(sub, optWarn); w != "" {
		if warn, err = schedule.ParseWarnings(w); err != nil {
			return store.Schedule{}, &userError{msg: "Write warn as durations separated by commas, such as `10m,5m,1m` (each 1s to 1h, at most six), or `none`.", cause: err}
		}
	}
	return store.Schedule{GuildID: rq.i.GuildID, ChannelID: rq.i.ChannelID, Server: rq.audit.server,
		Action: a.Name(), Command: a.Command, When: spec.String(), Warnings: warn, CreatorID: rq.userID}, nil
}

// describe spells a schedule's timing for users.
func (r *Router) describe(sc store.Schedule) string {
	next, _ := r.schedules.NextRun(sc)
	return fmt.Sprintf("%s, next at %s, countdown %s", codeSpan(sc.When, 100), next, schedule.FormatWarnings(sc.Warnings))
}

// listSchedules shows the schedules to operators, each with a Cancel button.
func (r *Router) listSchedules(ctx context.Context, rq *request) (reply, error) {
	if err := r.acl.CheckAny(rq.member, acl.Operate); err != nil {
		return reply{}, err
	}
	all, err := r.schedules.List(ctx)
	if err != nil {
		return reply{}, fmt.Errorf("list schedules: %w", err)
	}
	if len(all) == 0 {
		return say("There are no schedules. `/schedule add` makes one.", true), nil
	}
	var lines []string
	var buttons []discordgo.MessageComponent
	for i, sc := range all {
		if i == maxListed {
			lines = append(lines, fmt.Sprintf("…and %d more.", len(all)-maxListed))
			break
		}
		lines = append(lines, fmt.Sprintf("**%d** %s on %s, %s, by <@%s>", sc.ID, sc.Action,
			codeSpan(sc.Server, 100), r.describe(sc), sc.CreatorID))
		id, _ := customID{verb: verbScheduleCancel, schedule: sc.ID}.encode()
		buttons = append(buttons, discordgo.Button{Label: fmt.Sprintf("Cancel %d", sc.ID), Style: discordgo.DangerButton, CustomID: id})
	}
	return reply{content: trimContent(strings.Join(lines, "\n")), components: buttonRows(buttons), ephemeral: true}, nil
}

// buttonRows lays buttons out five to a row.
func buttonRows(bs []discordgo.MessageComponent) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	for len(bs) > 0 {
		n := min(len(bs), maxButtonsPerRow)
		rows = append(rows, discordgo.ActionsRow{Components: bs[:n]})
		bs = bs[n:]
	}
	return rows
}

// trimContent keeps a message inside Discord's limit.
func trimContent(s string) string {
	if r := []rune(s); len(r) > maxContent {
		return string(r[:maxContent-1]) + "…"
	}
	return s
}

// cancelSchedule removes a schedule for a member who holds its action's
// tier on its server: the clicker of a Cancel button is checked again.
func (r *Router) cancelSchedule(ctx context.Context, rq *request, id int64, via string) (reply, error) {
	rq.audit = &auditEntry{action: fmt.Sprintf("schedule cancel %d", id), via: via, server: "-"}
	sc, err := r.schedules.Find(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		rq.audit.outcome = "no such schedule"
		return say(fmt.Sprintf("There is no schedule %d; `/schedule list` shows them.", id), true), nil
	}
	if err != nil {
		return reply{}, fmt.Errorf("find schedule: %w", err)
	}
	rq.audit.server, rq.server = sc.Server, sc.Server
	a, err := schedule.ParseAction(sc.Action, sc.Command)
	if err != nil {
		return reply{}, fmt.Errorf("schedule %d: %w", id, err)
	}
	if err := r.acl.Check(rq.member, schedule.Tier(a), sc.Server); err != nil {
		return reply{}, err
	}
	if err := r.schedules.Remove(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return reply{}, fmt.Errorf("remove schedule: %w", err)
	}
	rq.audit.outcome = "cancelled"
	return say(fmt.Sprintf("Schedule %d (%s on %s) is cancelled.", id, sc.Action, codeSpan(sc.Server, 100)), true), nil
}

// ScheduleAuditor is the audit trail of scheduled runs: the same log lines
// and audit channel posts as /power, sent through s.
func (r *Router) ScheduleAuditor(s Session) schedule.Auditor { return scheduleAudit{r: r, s: s} }

type scheduleAudit struct {
	r *Router
	s Session
}

// AuditSchedule records one run, skip or miss of sc.
func (a scheduleAudit) AuditSchedule(ctx context.Context, sc store.Schedule, outcome string, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), discordSlack)
	defer cancel()
	rq := &request{
		i:      &discordgo.Interaction{ID: fmt.Sprintf("schedule %d", sc.ID)},
		userID: sc.CreatorID, user: fmt.Sprintf("schedule %d, made by", sc.ID), name: "schedule", server: sc.Server,
		audit: &auditEntry{action: "scheduled " + sc.Action, via: "schedule", server: sc.Server,
			command: sc.Command, outcome: outcome, err: err},
	}
	a.r.postAudit(ctx, a.s, rq)
}
