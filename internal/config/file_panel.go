package config

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// kindInfo is what the file checks depend on for one kind of panel, taken
// from the clients' documentation.
type kindInfo struct {
	name     string
	needsURL bool // no documented default address
	console  bool // a console stream the relay can mirror
	commands bool // accepts console commands
	login    bool // token or email+password (Shardlyn) instead of one key
	per      time.Duration
	maxRate  int
	keyHint  string // what the key variable must hold
}

func kindInfoFor(name string) (kindInfo, bool) {
	const ptero = "the panel's client API key (ptlc_…; Pelican: pacc_… or plcn_…; Account → API Credentials)"
	switch name {
	case KindPterodactyl, KindPelican:
		return kindInfo{name: name, needsURL: true, console: true, commands: true, per: time.Minute, maxRate: 100000, keyHint: ptero}, true
	case KindZampto:
		return kindInfo{name: name, per: 10 * time.Second, maxRate: 10000, keyHint: "the zampto API key (dash.zampto.net → Settings → API)"}, true
	case KindServerPrism:
		return kindInfo{name: name, commands: true, per: time.Minute, maxRate: 100000, keyHint: "the ServerPrism personal access token (Account → API Credentials)"}, true
	case KindShardlyn:
		return kindInfo{name: name, console: true, login: true, per: time.Minute, maxRate: 100000, keyHint: "a Shardlyn API token (shardlyn_api_…, Settings > API Tokens)"}, true
	}
	return kindInfo{}, false
}

func kindNames() []string {
	return []string{KindPterodactyl, KindPelican, KindZampto, KindServerPrism, KindShardlyn}
}

// panelKeys is what a panel of kind k may set; every key of every kind
// when the kind is not known yet.
func panelKeys(k kindInfo) []string {
	keys := []string{"name", "kind", "url"}
	switch {
	case k.name == "":
		keys = append(keys, "api_key_env", "token_env", "email_env", "password_env", "write_rate_limit")
	case k.login:
		keys = append(keys, "token_env", "email_env", "password_env")
	default:
		keys = append(keys, "api_key_env")
	}
	if k.name == KindServerPrism {
		keys = append(keys, "write_rate_limit")
	}
	return append(keys, "rate_limit", "alerts", "warn_command", "servers")
}

// file reads the root: a mapping with the list of panels.
func (d *decoder) file(root *yaml.Node) *File {
	m := d.mapping(root, "the file")
	if m == nil {
		return nil
	}
	d.checkKeys(m, scope{level: "the file", keys: []string{"panels"}})
	n := d.mark()
	items := d.sequence(m.get("panels"), "start each panel with '- name: …'")
	if !d.since(n) && len(items) == 0 {
		d.fail(root, "declares no panels: list at least one under panels:, starting with '- name: …'")
	}
	f := &File{}
	seen := make(map[string]int) // lower-cased name → line
	for _, item := range items {
		n := d.mark()
		p := d.panel(item)
		if d.since(n) {
			continue
		}
		if line, dup := seen[strings.ToLower(p.Name)]; dup {
			d.fail(item, "panel name %q is already used on line %d: give each panel its own name", p.Name, line)
			continue
		}
		seen[strings.ToLower(p.Name)] = p.Line
		f.Panels = append(f.Panels, p)
	}
	return f
}

// panel reads one entry of panels:.
func (d *decoder) panel(n *yaml.Node) Panel {
	m := d.mapping(n, "each entry under panels:")
	if m == nil {
		return Panel{}
	}
	// Peek at name and kind so key advice can use them; both are checked
	// properly below.
	k, _ := kindInfoFor(strings.ToLower(m.text("kind")))
	sc := scope{level: "a panel", keys: panelKeys(k), kind: k, panel: m.text("name")}
	d.checkKeys(m, sc)
	p := Panel{Line: n.Line, Name: d.panelName(m)}
	k = d.kind(m)
	p.Kind, p.RatePer = k.name, k.per
	p.URL = d.url(m, k)
	p.Secret = d.credentials(m, k, p.Name)
	p.RateLimit = d.integer(m.get("rate_limit"), 1, k.maxRate, "requests per "+perText(k.per))
	p.WriteRateLimit = d.integer(m.get("write_rate_limit"), 1, k.maxRate, "writes per "+perText(k.per))
	p.Alerts = d.alerts(m.get("alerts"))
	p.WarnCommand = d.warnCommand(m.get("warn_command"))
	p.Servers = d.servers(m.get("servers"), k, p.Name)
	return p
}

func perText(d time.Duration) string {
	if d == time.Minute {
		return "minute"
	}
	return d.String()
}

var panelNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func validPanelName(s string) bool { return panelNameRE.MatchString(s) }

func (d *decoder) panelName(m *mapping) string {
	p := m.get("name")
	v := d.text(p)
	switch {
	case p.value == nil:
		d.fail(m.node, "each panel needs name: a short word users can type before a server, e.g. name: main")
	case !validPanelName(v):
		d.fail(p.value, "name %s: use 1 to 32 letters, digits, '-' or '_', e.g. name: main", quoted(v))
	}
	return v
}

func (d *decoder) kind(m *mapping) kindInfo {
	p := m.get("kind")
	v := strings.ToLower(d.text(p))
	if p.value == nil {
		d.fail(m.node, "each panel needs kind: one of %s", strings.Join(kindNames(), ", "))
		return kindInfo{}
	}
	k, ok := kindInfoFor(v)
	if !ok {
		hint := ""
		if best := closest(v, kindNames()); best != "" {
			hint = " (did you mean " + best + "?)"
		}
		d.fail(p.value, "unknown kind %s%s: use one of %s", quoted(v), hint, strings.Join(kindNames(), ", "))
	}
	return k
}

// url checks the panel's address like the environment loader does, and
// never repeats it: a pasted address may carry credentials.
func (d *decoder) url(m *mapping, k kindInfo) string {
	p := m.get("url")
	if p.value == nil {
		if k.needsURL {
			d.fail(m.node, "a %s panel needs url: the address you open in a browser, e.g. url: https://panel.example.com", k.name)
		}
		return ""
	}
	raw := strings.TrimRight(d.text(p), "/")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		advice := ""
		if !k.needsURL {
			advice = ", or leave url out to use the address " + k.name + " documents"
		}
		d.fail(p.value, "url must be an http(s) address such as https://panel.example.com, without credentials, query or fragment%s", advice)
	}
	return raw
}
