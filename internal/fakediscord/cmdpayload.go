package fakediscord

import (
	"fmt"
	"math"
	"slices"

	"github.com/bwmarrin/discordgo"
)

const adminPerm = 1 << 3

// commandPayloadLocked checks a command or autocomplete interaction
// against the registered command and builds its payload.
func (s *Server) commandPayloadLocked(i *Interaction) (map[string]any, error) {
	cmd, err := s.usableCommandLocked(i.Actor, i.name)
	if err != nil {
		return nil, err
	}
	b := optBuilder{auto: i.Type == discordgo.InteractionApplicationCommandAutocomplete, resolved: map[string]map[string]any{}}
	opts, err := b.build(cmd.def.Options, i.args, "/"+i.name)
	if err != nil {
		return nil, err
	}
	if err := b.checkFocus(); err != nil {
		return nil, err
	}
	p, err := s.basePayload(i, i.Actor.GuildID, i.Actor.ChannelID)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"id": cmd.id, "name": i.name, "type": 1}
	if len(opts) > 0 {
		data["options"] = opts
	}
	if len(b.resolved) > 0 {
		data["resolved"] = b.resolved
	}
	if cmd.guildID != "" {
		data["guild_id"] = cmd.guildID
	}
	p["data"] = data
	return p, nil
}

// usableCommandLocked finds the command the actor can see under name.
func (s *Server) usableCommandLocked(a Actor, name string) (*command, error) {
	if a.GuildID != "" && !s.guilds[a.GuildID] {
		return nil, fmt.Errorf("the bot is not in guild %s (use WithGuild)", a.GuildID)
	}
	cmd := s.findCommandLocked(a.GuildID, name)
	switch {
	case cmd == nil && a.GuildID == "":
		return nil, fmt.Errorf("no global command /%s is registered (DMs only see global commands)", name)
	case cmd == nil:
		return nil, fmt.Errorf("no command /%s is registered for guild %s or globally", name, a.GuildID)
	}
	return cmd, commandUsable(cmd, a)
}

// commandUsable applies the gates Discord applies before a user can even
// pick a command: DM availability and default_member_permissions.
func commandUsable(cmd *command, a Actor) error {
	if a.GuildID == "" {
		if cmd.guildID != "" || (cmd.def.DMPermission != nil && !*cmd.def.DMPermission) ||
			(cmd.def.Contexts != nil && !slices.Contains(*cmd.def.Contexts, 1)) {
			return fmt.Errorf("/%s is not available in DMs", cmd.def.Name)
		}
		return nil
	}
	need, _ := cmd.def.defaultPerms()
	if need != nil && a.Permissions&adminPerm == 0 && a.Permissions&*need != *need {
		return fmt.Errorf("discord hides /%s from this member: default_member_permissions %d not held (member has %d)", cmd.def.Name, *need, a.Permissions)
	}
	return nil
}

// optBuilder turns Args into Discord's option payloads, checked against
// the registered options.
type optBuilder struct {
	auto     bool
	focused  int
	resolved map[string]map[string]any
}

// checkFocus: autocomplete has exactly one option being typed, commands none.
func (b *optBuilder) checkFocus() error {
	if b.auto && b.focused != 1 {
		return fmt.Errorf("an autocomplete interaction needs exactly one Focus() option, got %d", b.focused)
	}
	if !b.auto && b.focused != 0 {
		return fmt.Errorf("Focus() is only for Autocomplete")
	}
	return nil
}

func (b *optBuilder) build(defs []optDef, args []Arg, where string) ([]any, error) {
	out := []any{}
	given := map[string]bool{}
	for _, arg := range args {
		def := findOpt(defs, arg.Name)
		if def == nil {
			return nil, fmt.Errorf("%s has no option %q", where, arg.Name)
		}
		if given[arg.Name] {
			return nil, fmt.Errorf("%s: option %q given twice", where, arg.Name)
		}
		given[arg.Name] = true
		o, err := b.one(*def, arg, where)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, b.complete(defs, given, len(args), where)
}

// complete checks required options and that a command with sub-commands
// got exactly one.
func (b *optBuilder) complete(defs []optDef, given map[string]bool, n int, where string) error {
	hasSubs := len(defs) > 0 && (defs[0].Type == optSubCommand || defs[0].Type == optGroup)
	if hasSubs && n != 1 {
		return fmt.Errorf("%s needs exactly one sub-command, got %d", where, n)
	}
	for _, d := range defs {
		if d.Required && !given[d.Name] && !b.auto {
			return fmt.Errorf("%s: required option %q missing", where, d.Name)
		}
	}
	return nil
}

func findOpt(defs []optDef, name string) *optDef {
	for i := range defs {
		if defs[i].Name == name {
			return &defs[i]
		}
	}
	return nil
}

func (b *optBuilder) one(def optDef, arg Arg, where string) (map[string]any, error) {
	o := map[string]any{"name": def.Name, "type": def.Type}
	if def.Type == optSubCommand || def.Type == optGroup {
		if arg.Value != nil || arg.Focused {
			return nil, fmt.Errorf("%s %s is a sub-command: use Sub()", where, def.Name)
		}
		sub, err := b.build(def.Options, arg.Args, where+" "+def.Name)
		o["options"] = sub
		return o, err
	}
	if arg.Focused {
		b.focused++
		if !def.Autocomplete {
			return nil, fmt.Errorf("%s option %q is not registered with autocomplete", where, def.Name)
		}
		// While typing, Discord sends the raw text whatever the option type.
		o["value"], o["focused"] = arg.Value, true
		return o, nil
	}
	v, err := optionValue(def, arg.Value)
	if err != nil {
		return nil, fmt.Errorf("%s option %q: %v", where, def.Name, err)
	}
	o["value"] = v
	b.resolve(def.Type, v)
	return o, nil
}

// resolve adds the minimal resolved objects Discord sends for users,
// channels and roles picked in options.
func (b *optBuilder) resolve(t int, v any) {
	id, _ := v.(string)
	var kind string
	var obj map[string]any
	switch t {
	case optUser, optMention:
		kind, obj = "users", userJSON(id, "user"+id, false)
	case optChannel:
		kind, obj = "channels", map[string]any{"id": id, "type": 0, "name": "channel-" + id, "permissions": "1126174785006577"}
	case optRole:
		kind, obj = "roles", map[string]any{"id": id, "name": "role-" + id, "permissions": "0", "position": 1, "color": 0, "hoist": false, "managed": false, "mentionable": false}
	default:
		return
	}
	if b.resolved[kind] == nil {
		b.resolved[kind] = map[string]any{}
	}
	b.resolved[kind][id] = obj
}

// optionValue converts a Go value to the option's JSON value, enforcing
// what Discord's client enforces: type, choices, min/max.
func optionValue(def optDef, v any) (any, error) {
	switch def.Type {
	case optString:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %T", v)
		}
		return s, checkString(def, s)
	case optInteger, optNumber:
		f, ok := toFloat(v)
		if !ok || (def.Type == optInteger && f != math.Trunc(f)) {
			return nil, fmt.Errorf("want a number (integer for type 4), got %v", v)
		}
		if def.Type == optInteger {
			return int64(f), checkNumber(def, f)
		}
		return f, checkNumber(def, f)
	case optBoolean:
		if _, ok := v.(bool); !ok {
			return nil, fmt.Errorf("want a bool, got %T", v)
		}
		return v, nil
	case optUser, optChannel, optRole, optMention:
		if s, ok := v.(string); ok && snowflakeRE.MatchString(s) {
			return s, nil
		}
		return nil, fmt.Errorf("want a snowflake string, got %v", v)
	}
	return nil, fmt.Errorf("option type %d is not supported by the fake's builders", def.Type)
}

func checkString(def optDef, s string) error {
	n := len([]rune(s))
	if def.MinLength != nil && n < *def.MinLength || def.MaxLength != nil && n > *def.MaxLength {
		return fmt.Errorf("length %d outside min_length/max_length", n)
	}
	if len(def.Choices) > 0 && !slices.ContainsFunc(def.Choices, func(c choiceDef) bool { return c.Value == s }) {
		return fmt.Errorf("%q is not one of the registered choices", s)
	}
	return nil
}

func checkNumber(def optDef, f float64) error {
	if def.MinValue != nil && f < *def.MinValue || def.MaxValue != nil && f > *def.MaxValue {
		return fmt.Errorf("%v outside min_value/max_value", f)
	}
	if len(def.Choices) > 0 && !slices.ContainsFunc(def.Choices, func(c choiceDef) bool { return c.Value == f }) {
		return fmt.Errorf("%v is not one of the registered choices", f)
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// checkSelectValues checks chosen values against the menu: count within
// min/max and, for string menus, among its options.
func checkSelectValues(comp map[string]any, values []string) error {
	lo, hi := 1.0, 1.0
	if v, ok := comp["min_values"].(float64); ok {
		lo = v
	}
	if v, ok := comp["max_values"].(float64); ok {
		hi = v
	}
	if n := float64(len(values)); n < lo || n > hi {
		return fmt.Errorf("select %v needs %v..%v values, got %d", comp["custom_id"], lo, hi, len(values))
	}
	if comp["type"] != float64(compSelect) {
		return nil
	}
	opts, _ := comp["options"].([]any)
	for _, v := range values {
		if !slices.ContainsFunc(opts, func(o any) bool { m, _ := o.(map[string]any); return m["value"] == v }) {
			return fmt.Errorf("select %v has no option %q", comp["custom_id"], v)
		}
	}
	return nil
}
