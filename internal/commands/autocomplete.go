package commands

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/trunc"
)

// autocomplete answers the server option from the registry's list. It cannot
// be deferred, so the list gets AutocompleteBudget; past it the last list seen
// is used (or nothing). The registry keeps fetching for later callers when
// this one gives up, so a slow panel warms the cache for the next keystroke.
func (r *Router) autocomplete(ctx, dctx context.Context, s Session, i *discordgo.Interaction) {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if q, ok := r.completion(i); ok {
		list := r.fetchTargets(ctx)
		if list == nil {
			list = r.panels.Cached()
		}
		choices = r.choices(q, list)
	}
	resp := &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}
	if err := s.InteractionRespond(i, resp, discordgo.WithContext(dctx)); err != nil {
		r.log.Error("discord call failed", "step", "autocomplete", "interaction", i.ID, "error", discordError(i, err))
	}
}

// fetchTargets lists the servers within the autocomplete budget.
func (r *Router) fetchTargets(ctx context.Context) []panel.Target {
	ctx, cancel := context.WithTimeout(ctx, r.acBudget)
	defer cancel()
	ts, err := r.panels.Targets(ctx)
	if ts == nil {
		r.log.Debug("autocomplete answers from the last list", "error", err)
	}
	return ts
}

// query is one autocomplete request worth answering.
type query struct {
	member acl.Member
	typed  string        // lower-cased and trimmed
	need   panel.Feature // what the command needs of the panel; 0 for none
}

// completion decides whether the keystroke gets suggestions at all, before
// any panel is asked: outside a guild, for a member who may view no server,
// or for an option other than server, the answer is no choices, and the
// panel's rate budget is not spent on it.
func (r *Router) completion(i *discordgo.Interaction) (query, bool) {
	d, ok := commandData(i)
	if !ok {
		return query{}, false
	}
	typed, ok := focusedServer(d)
	member := newRequest(i).member
	if !ok || r.acl.CheckAny(member, acl.View) != nil {
		return query{}, false
	}
	q := query{member: member, typed: strings.ToLower(strings.TrimSpace(typed))}
	if d.Name == cmdCmd {
		q.need = panel.FeatureCommand
	}
	return q, true
}

func (r *Router) choices(q query, list []panel.Target) []*discordgo.ApplicationCommandOptionChoice {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, t := range rank(list, q.typed) {
		if len(choices) == maxAutocomplete {
			break
		}
		if c := r.choice(q.member, t, q.need); c != nil {
			choices = append(choices, c)
		}
	}
	return choices
}

// focusedServer returns what the user has typed in the server option, if
// that is the option being completed.
func focusedServer(d discordgo.ApplicationCommandInteractionData) (string, bool) {
	for _, o := range d.Options {
		if o != nil && o.Focused && o.Name == optServer {
			s, ok := o.Value.(string)
			return s, ok
		}
	}
	return "", false
}

// rank keeps the servers whose name or identifier contains what was typed,
// those that start with it first.
func rank(ts []panel.Target, typed string) []panel.Target {
	var prefix, inside []panel.Target
	for _, t := range ts {
		name, id := strings.ToLower(t.Server.Name), strings.ToLower(t.Server.ID)
		switch {
		case strings.HasPrefix(name, typed) || strings.HasPrefix(id, typed):
			prefix = append(prefix, t)
		case strings.Contains(name, typed) || strings.Contains(id, typed):
			inside = append(inside, t)
		}
	}
	return append(prefix, inside...)
}

// choice is one suggestion, or nil when the member may not see the server,
// its panel lacks the feature, or it has no value Discord can carry.
func (r *Router) choice(m acl.Member, t panel.Target, need panel.Feature) *discordgo.ApplicationCommandOptionChoice {
	if r.acl.Check(m, acl.View, t.Key()) != nil {
		return nil
	}
	if need != 0 && (t.Client == nil || !t.Client.Features().Has(need)) {
		return nil
	}
	value := t.Key()
	if len(value) > maxChoiceValue {
		// Resolve also takes the bare identifier.
		value = t.Server.ID
	}
	name := trunc.Runes(clean(t.Label()), maxChoiceName)
	if len(value) > maxChoiceValue || value == "" || strings.TrimSpace(name) == "" {
		return nil
	}
	return &discordgo.ApplicationCommandOptionChoice{Name: name, Value: value}
}
