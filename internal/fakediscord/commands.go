package fakediscord

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// chatNameRE is Discord's rule for slash command and option names.
var chatNameRE = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// Limits on registered commands per application (or guild), by type.
var commandCaps = map[int]int{1: 100, 2: 5, 3: 5}

// command is one registered application command.
type command struct {
	id      string
	guildID string // "" for global
	def     cmdDef
	raw     map[string]any // as sent, with Discord's added fields
}

type cmdDef struct {
	Type         int             `json:"type"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	Options      []optDef        `json:"options"`
	DefaultPerms json.RawMessage `json:"default_member_permissions"`
	DMPermission *bool           `json:"dm_permission"`
	Contexts     *[]int          `json:"contexts"`
}

type optDef struct {
	Type         int         `json:"type"`
	Name         string      `json:"name"`
	Description  string      `json:"description"`
	Required     bool        `json:"required"`
	Choices      []choiceDef `json:"choices"`
	Options      []optDef    `json:"options"`
	Autocomplete bool        `json:"autocomplete"`
	MinValue     *float64    `json:"min_value"`
	MaxValue     *float64    `json:"max_value"`
	MinLength    *int        `json:"min_length"`
	MaxLength    *int        `json:"max_length"`
}

type choiceDef struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

func (d cmdDef) kind() int {
	if d.Type == 0 {
		return 1
	}
	return d.Type
}

// scope is the key commands are stored under: "" global, else the guild.
func (s *Server) commandScope(c *call) (string, *reply) {
	if c.args[0] != s.cfg.appID {
		return "", &errMissingAccess
	}
	if len(c.args) < 2 {
		return "", nil
	}
	if !s.guilds[c.args[1]] {
		return "", &errMissingAccess
	}
	return c.args[1], nil
}

func (s *Server) listCommands(c *call) reply {
	scope, bad := s.commandScope(c)
	if bad != nil {
		return *bad
	}
	out := []any{}
	for _, cmd := range s.commands[scope] {
		out = append(out, cmd.raw)
	}
	return reply{status: http.StatusOK, body: out}
}

// putCommands is the bulk overwrite: all or nothing, IDs kept for
// commands whose name and type stay, as Discord does.
func (s *Server) putCommands(c *call) reply {
	scope, bad := s.commandScope(c)
	if bad != nil {
		return *bad
	}
	var k checker
	list, _ := c.payload.([]any)
	if c.payload == nil || list == nil {
		k.add(nil, "BASE_TYPE_ARRAY", "Must be an array.")
		return k.reply()
	}
	defs := make([]cmdDef, len(list))
	for i, item := range list {
		defs[i] = decodeCommand(&k, []string{strconv.Itoa(i)}, item)
	}
	checkCommandSet(&k, defs)
	if !k.ok() {
		return k.reply()
	}
	next := make([]*command, len(defs))
	for i, d := range defs {
		next[i] = s.storeCommandLocked(scope, d, list[i].(map[string]any))
	}
	s.commands[scope] = next
	return s.listCommands(c)
}

// postCommand creates or replaces one command by name and type.
func (s *Server) postCommand(c *call) reply {
	scope, bad := s.commandScope(c)
	if bad != nil {
		return *bad
	}
	var k checker
	d := decodeCommand(&k, nil, c.payload)
	if !k.ok() {
		return k.reply()
	}
	cmd := s.storeCommandLocked(scope, d, c.payload.(map[string]any))
	list, status := s.commands[scope], http.StatusCreated
	for i, old := range list {
		if old.def.Name == d.Name && old.def.kind() == d.kind() {
			list[i], status = cmd, http.StatusOK
		}
	}
	if status == http.StatusCreated {
		s.commands[scope] = append(list, cmd)
		k2 := checker{}
		if checkCommandSet(&k2, s.commandDefs(scope)); !k2.ok() {
			s.commands[scope] = list
			return k2.reply()
		}
	}
	return reply{status: status, body: cmd.raw}
}

func (s *Server) commandDefs(scope string) []cmdDef {
	var defs []cmdDef
	for _, c := range s.commands[scope] {
		defs = append(defs, c.def)
	}
	return defs
}

// storeCommandLocked builds the stored command, reusing the ID of an
// existing command with the same name and type.
func (s *Server) storeCommandLocked(scope string, d cmdDef, sent map[string]any) *command {
	cmd := &command{guildID: scope, def: d, raw: map[string]any{}}
	for _, old := range s.commands[scope] {
		if old.def.Name == d.Name && old.def.kind() == d.kind() {
			cmd.id = old.id
		}
	}
	if cmd.id == "" {
		cmd.id = s.snowflakeLocked()
	}
	for k, v := range sent {
		cmd.raw[k] = v
	}
	cmd.raw["id"], cmd.raw["application_id"], cmd.raw["version"] = cmd.id, s.cfg.appID, s.snowflakeLocked()
	cmd.raw["type"], cmd.raw["nsfw"] = d.kind(), false
	if _, ok := cmd.raw["default_member_permissions"]; !ok {
		cmd.raw["default_member_permissions"] = nil
	}
	if scope != "" {
		cmd.raw["guild_id"] = scope
	}
	return cmd
}

// findCommandLocked finds a chat command visible in guildID (guild
// commands first, then global ones).
func (s *Server) findCommandLocked(guildID, name string) *command {
	scopes := []string{""}
	if guildID != "" {
		scopes = []string{guildID, ""}
	}
	for _, scope := range scopes {
		for _, c := range s.commands[scope] {
			if c.def.Name == name && c.def.kind() == 1 {
				return c
			}
		}
	}
	return nil
}

// decodeCommand decodes and validates one command object at path.
func decodeCommand(k *checker, path []string, v any) cmdDef {
	var d cmdDef
	if _, ok := v.(map[string]any); !ok {
		k.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
		return d
	}
	raw, _ := json.Marshal(v)
	if err := json.Unmarshal(raw, &d); err != nil {
		k.add(path, "MODEL_TYPE_CONVERT", "A field has the wrong type: "+err.Error())
		return d
	}
	checkCommand(k, path, d)
	return d
}

// checkCommandSet applies the rules across commands: unique names per
// type and the per-type caps.
func checkCommandSet(k *checker, defs []cmdDef) {
	seen := map[string]bool{}
	counts := map[int]int{}
	for i, d := range defs {
		key := strconv.Itoa(d.kind()) + "/" + d.Name
		if seen[key] {
			k.add([]string{strconv.Itoa(i), "name"}, "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
		counts[d.kind()]++
	}
	for t, n := range counts {
		if limit, ok := commandCaps[t]; ok && n > limit {
			k.add(nil, "BASE_TYPE_MAX_LENGTH", "Must be "+strconv.Itoa(limit)+" or fewer commands of type "+strconv.Itoa(t)+".")
		}
	}
}

// defaultPerms parses default_member_permissions: nil when unset.
func (d cmdDef) defaultPerms() (*int64, bool) {
	raw := strings.TrimSpace(string(d.DefaultPerms))
	if raw == "" || raw == "null" {
		return nil, true
	}
	raw = strings.Trim(raw, `"`)
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return nil, false
	}
	return &n, true
}
