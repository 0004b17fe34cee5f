package config

import (
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/panelbot/panelbot/internal/acl"
)

// maxIDLen and maxAliasLen bound what users type and buttons carry:
// Discord custom IDs and option values are at most 100 characters.
const (
	maxIDLen    = 100
	maxAliasLen = 64
)

// names remembers the IDs and aliases already read in one panel (lower-cased,
// with their line), because users type either and one must mean one server.
type names struct {
	ids     map[string]int
	aliases map[string]int
}

// servers reads a panel's servers: list.
func (d *decoder) servers(p pair, k kindInfo, panelName string) []Server {
	items := d.sequence(p, "start each server with '- id: …'")
	seen := names{ids: make(map[string]int), aliases: make(map[string]int)}
	var out []Server
	for _, item := range items {
		s, ok := d.server(item, scope{level: "a server", keys: []string{"id", "alias", "roles", "relay", "alerts", "query", "warn_command"}, kind: k, panel: panelName}, seen)
		if !ok {
			continue
		}
		out = append(out, s)
	}
	return out
}

func (d *decoder) server(n *yaml.Node, sc scope, seen names) (Server, bool) {
	before := d.mark()
	m := d.mapping(n, "each entry under servers:")
	if m == nil {
		return Server{}, false
	}
	d.checkKeys(m, sc)
	k := sc.kind
	s := Server{Line: n.Line, ID: d.serverID(m, k, seen)}
	s.Alias = d.alias(m.get("alias"), s.ID, seen)
	s.ACL = d.roles(m.get("roles"))
	s.Relay = d.relay(m.get("relay"), k)
	s.Alerts = d.alerts(m.get("alerts"))
	s.Query = d.query(m.get("query"))
	s.WarnCommand = d.warnCommand(m.get("warn_command"))
	return s, !d.since(before)
}

func (d *decoder) serverID(m *mapping, k kindInfo, seen names) string {
	p := m.get("id")
	id := d.text(p)
	switch {
	case p.value == nil:
		d.fail(m.node, "each server needs id: the identifier the panel shows for it (e.g. the short id in a Pterodactyl server's address)")
	case badID(id):
		d.fail(p.value, "id %s must be 1 to %d characters without spaces or '/'", quoted(id), maxIDLen)
	case idProblem(k, id) != "":
		d.fail(p.value, "id %s %s", quoted(id), idProblem(k, id))
	case seen.ids[strings.ToLower(id)] > 0:
		d.fail(p.value, "server %s is listed twice (first on line %d): merge the two entries", quoted(id), seen.ids[strings.ToLower(id)])
	case seen.aliases[strings.ToLower(id)] > 0:
		d.fail(p.value, "id %s is also the alias on line %d: rename that alias, or users could not tell the two servers apart", quoted(id), seen.aliases[strings.ToLower(id)])
	}
	seen.ids[strings.ToLower(id)] = m.node.Line
	return id
}

func (d *decoder) alias(p pair, id string, seen names) string {
	n := d.mark()
	a := d.text(p)
	if p.value == nil || d.since(n) {
		return ""
	}
	lower := strings.ToLower(a)
	switch {
	case strings.Contains(a, "/"):
		d.fail(p.value, "alias %s contains '/', which separates panel and server in panel/alias: use '-' instead", quoted(a))
	case badAlias(a):
		d.fail(p.value, "alias %s must be 1 to %d characters, without line breaks or control characters", quoted(a), maxAliasLen)
	case seen.aliases[lower] > 0:
		d.fail(p.value, "alias %s is already used on line %d: give each server its own alias", quoted(a), seen.aliases[lower])
	case seen.ids[lower] > 0 && lower != strings.ToLower(id):
		d.fail(p.value, "alias %s is the id of the server on line %d: pick another alias, or users could not tell the two apart", quoted(a), seen.ids[lower])
	}
	seen.aliases[lower] = p.value.Line
	return a
}

func badID(s string) bool {
	return s == "" || len(s) > maxIDLen || strings.ContainsRune(s, '/') ||
		strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}

// idProblem checks the shape of the kind's server IDs, so a wrong one is
// reported here rather than as "no such server" later; "" when fine.
func idProblem(k kindInfo, id string) string {
	switch k.name {
	case KindPterodactyl, KindPelican:
		if len(id) == 36 && strings.Count(id, "-") == 4 {
			return "is a full UUID: write its first 8 characters, " + id[:8] + ", the identifier the panel shows in the server's address"
		}
		if len(id) != 8 || strings.IndexFunc(id, func(r rune) bool { return !isAlnum(r) }) >= 0 {
			return "is not a server identifier: write the 8 letters and digits the panel shows in the server's address"
		}
	case KindZampto, KindServerPrism:
		if len(id) > 18 || strings.Trim(id, "0123456789") != "" {
			return "is not a " + k.name + " server number: write the number shown in the server's address"
		}
	}
	return ""
}

func isAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func badAlias(s string) bool {
	return s == "" || len(s) > maxAliasLen || strings.IndexFunc(s, unicode.IsControl) >= 0
}

// roles reads a server's own access rules; nil when it sets none.
func (d *decoder) roles(p pair) *acl.Rules {
	if p.value == nil {
		return nil
	}
	m := d.mapping(p.value, "roles:")
	if m == nil {
		return nil
	}
	d.checkKeys(m, scope{level: "roles:", keys: []string{"viewer", "operator", "admin", "admin_users"}})
	r := acl.Rules{
		ViewerRoles:   d.ids(m.get("viewer")),
		OperatorRoles: d.ids(m.get("operator")),
		AdminRoles:    d.ids(m.get("admin")),
		AdminUsers:    d.ids(m.get("admin_users")),
	}
	if len(r.ViewerRoles)+len(r.OperatorRoles)+len(r.AdminRoles)+len(r.AdminUsers) == 0 {
		return nil
	}
	return &r
}

// ids reads a list of Discord IDs, or one comma-separated value as the
// ACL_* variables take them, each checked where it is written.
func (d *decoder) ids(p pair) []string {
	if p.value == nil || !d.plain(p.value) {
		return nil
	}
	items := []*yaml.Node{p.value}
	if p.value.Kind == yaml.SequenceNode {
		items = p.value.Content
	}
	var out []string
	for _, item := range items {
		ids, err := acl.ParseIDs(d.text(pair{key: p.key, value: item}))
		if err != nil {
			d.fail(item, "roles %s: %v", p.key.Value, err)
			return nil
		}
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// relay reads a server's console relay.
func (d *decoder) relay(p pair, k kindInfo) *Relay {
	if p.value == nil || k.name == "" {
		return nil
	}
	if !k.console {
		d.fail(p.key, "%s servers have no console to relay: remove relay: (pterodactyl, pelican and shardlyn servers have one)", k.name)
		return nil
	}
	m := d.mapping(p.value, "relay:")
	if m == nil {
		return nil
	}
	d.checkKeys(m, scope{level: "relay:", keys: []string{"channel", "commands"}, kind: k})
	r := &Relay{Line: p.key.Line, ChannelID: d.text(m.get("channel")), Commands: d.boolean(m.get("commands"))}
	switch {
	case m.get("channel").value == nil:
		d.fail(p.key, "relay needs channel: the ID of the Discord channel to mirror the console into (Developer Mode → Copy Channel ID)")
	case acl.ValidateID(r.ChannelID) != nil:
		d.fail(m.get("channel").value, "relay channel: %v", acl.ValidateID(r.ChannelID))
	case r.Commands && !k.commands:
		d.fail(m.get("commands").value, "%s servers take no console commands from the bot: write commands: false", k.name)
	}
	return r
}
