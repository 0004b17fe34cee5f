package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

// ptero starts a file with one valid pterodactyl panel (lines 1-5); cases
// append their own lines from line 6.
func ptero(more ...string) string {
	return yamlLines(append([]string{
		"panels:",
		"  - name: main",
		"    kind: pterodactyl",
		"    url: https://panel.example.com",
		"    api_key_env: MAIN_PANEL_KEY",
	}, more...)...)
}

// kindPanel is a file with one panel of the given kind and credential line
// (lines 1-4); cases append from line 5.
func kindPanel(kind, cred string, more ...string) string {
	return yamlLines(append([]string{
		"panels:",
		"  - name: other",
		"    kind: " + kind,
		"    " + cred,
	}, more...)...)
}

type badFile struct {
	name string
	src  string
	line int
	want []string
}

func badFiles() []badFile {
	return append(append(append(structureCases(), panelCases()...), secretCases()...), serverCases()...)
}

func structureCases() []badFile {
	return []badFile{
		{"yaml syntax", "panels:\n  - name: [main\n", 2, []string{"YAML syntax error", "did not find expected"}},
		{"yaml indentation", ptero("   servers: []"), 6, []string{"YAML syntax error", "check the indentation"}},
		{"yaml colon in value", ptero("    url: https://a.example.com: 8080"), 6, []string{"YAML syntax error (mapping values are not allowed", "quote values"}},
		{"tab indentation", "panels:\n  - name: main\n\tkind: zampto\n", 3, []string{"indented with a tab", "spaces"}},
		{"unknown anchor", ptero("    rate_limit: *" + fileMainKey), 6, []string{"an alias (*name) refers to no anchor", "write the value out"}},
		{"control character", ptero("    rate_limit: 1\x01"), 6, []string{"control characters are not allowed", "UTF-8 text"}},
		{"invalid utf-8", ptero("    rate_limit: \xff"), 6, []string{"invalid", "UTF-8 text"}},
		{"root is a list", "- name: main\n", 1, []string{"the file must be \"key: value\" lines, not a list"}},
		{"root is text", "hello\n", 1, []string{"the file must be \"key: value\" lines, not a single value"}},
		{"no panels key", "# mine\nother: 1\n", 2, []string{`unknown key "other" in the file: use panels`}},
		{"panels null", "panels:\n", 1, []string{"declares no panels", "- name:"}},
		{"panels empty", "panels: []\n", 1, []string{"declares no panels"}},
		{"panels is a mapping", "panels:\n  name: main\n", 2, []string{"panels must be a list, not \"key: value\" lines", "'- name: …'"}},
		{"panel is text", "panels:\n  - main\n", 2, []string{"each entry under panels: must be \"key: value\" lines, not a single value"}},
		{"second document", ptero() + "---\npanels: []\n", 6, []string{"second YAML document", "one document"}},
		{"duplicate key", ptero("    kind: pelican"), 6, []string{`"kind" is set twice (first on line 3): keep one`}},
		{"alias node", "panels:\n  - &p {name: a, kind: zampto, api_key_env: ZAMPTO_API_KEY}\n  - *p\n", 3, []string{"anchors and aliases", "write the value out"}},
		{"merge key", "panels:\n  - <<: {name: a}\n", 2, []string{"no lists, anchors or << merges"}},
		{"misplaced key at root", "kind: zampto\n", 1, []string{"kind belongs in a panel (an entry under panels:), not in the file"}},
	}
}

func panelCases() []badFile {
	return []badFile{
		{"typo in key", ptero("    api_kye: X"), 6, []string{`unknown key "api_kye": did you mean "api_key_env"?`}},
		{"typo in case", ptero("    Servers: []"), 6, []string{`did you mean "servers"?`}},
		{"unknown key without suggestion", ptero("    colour: blue"), 6, []string{`unknown key "colour" in a panel: use name, kind, url, api_key_env, rate_limit, alerts, warn_command, servers`}},
		{"server key on the panel", ptero("    alias: survival"), 6, []string{"alias belongs in a server (an entry under servers:), not in a panel"}},
		{"unknown kind", "panels:\n  - name: a\n    kind: ptero\n", 3, []string{`unknown kind "ptero" (did you mean pterodactyl?): use one of pterodactyl, pelican, zampto, serverprism, shardlyn`}},
		{"kind missing", "panels:\n  - name: a\n    api_key_env: X\n", 2, []string{"each panel needs kind: one of pterodactyl, pelican"}},
		{"name missing", "panels:\n  - kind: zampto\n    api_key_env: ZAMPTO_API_KEY\n", 2, []string{"each panel needs name:", "name: main"}},
		{"name with space", "panels:\n  - name: my panel\n", 2, []string{`name "my panel": use 1 to 32 letters, digits, '-' or '_'`}},
		{"name is a list", "panels:\n  - name: [a]\n", 2, []string{"name must be a single value, not a list"}},
		{"duplicate panel name", ptero("  - name: MAIN", "    kind: zampto", "    api_key_env: ZAMPTO_API_KEY"), 6, []string{`panel name "MAIN" is already used on line 2: give each panel its own name`}},
		{"url missing", "panels:\n  - name: a\n    kind: pelican\n    api_key_env: MAIN_PANEL_KEY\n", 2, []string{"a pelican panel needs url:", "https://panel.example.com"}},
		{"url without scheme", "panels:\n  - name: a\n    kind: pterodactyl\n    url: panel.example.com\n    api_key_env: MAIN_PANEL_KEY\n", 4, []string{"url must be an http(s) address such as https://panel.example.com"}},
		{"bad url on zampto", kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    url: ftp://x"), 5, []string{"leave url out to use the address zampto documents"}},
		{"rate not a number", ptero("    rate_limit: fast"), 6, []string{`rate_limit must be a whole number from 1 to 100000 (requests per minute), not "fast"`}},
		{"rate zero", ptero("    rate_limit: 0"), 6, []string{"from 1 to 100000"}},
		{"zampto rate window", kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    rate_limit: 20000"), 5, []string{"from 1 to 10000 (requests per 10s)"}},
		{"write rate on pterodactyl", ptero("    write_rate_limit: 5"), 6, []string{"write_rate_limit applies to serverprism panels only"}},
		{"write rate not a number", kindPanel("serverprism", "api_key_env: PRISM_TOKEN", "    write_rate_limit: [1]"), 5, []string{"write_rate_limit must be a single value, not a list"}},
	}
}

func secretCases() []badFile {
	return []badFile{
		{"inline api key", ptero("    api_key: " + fileMainKey), 6, []string{"api_key: do not put secrets in the file: write api_key_env: MAIN_API_KEY and set MAIN_API_KEY in the environment"}},
		{"inline token on shardlyn", kindPanel("shardlyn", "token: "+fileShardTok), 4, []string{"token: do not put secrets in the file: write token_env: OTHER_TOKEN"}},
		{"inline password", kindPanel("shardlyn", "password: "+fileShardPass), 4, []string{"password: do not put secrets in the file: write password_env: OTHER_PASSWORD"}},
		{"inline email", kindPanel("shardlyn", "email: bot@example.com"), 4, []string{"write email_env: OTHER_EMAIL"}},
		{"inline key on a server", ptero("    servers:", "      - id: a", "        api_key: "+fileMainKey), 8, []string{"do not put secrets in the file: write api_key_env: MAIN_API_KEY"}},
		{"inline password on pterodactyl", ptero("    password: " + fileMainKey), 6, []string{"password: do not put secrets in the file: write api_key_env: MAIN_API_KEY"}},
		{"email on pterodactyl", ptero("    email: a@b.c"), 6, []string{`unknown key "email" in a panel`}},
		{"key missing", "panels:\n  - name: z\n    kind: zampto\n", 2, []string{"a zampto panel needs api_key_env:", "zampto API key", "api_key_env: Z_API_KEY"}},
		{"variable unset", kindPanel("zampto", "api_key_env: NOPE"), 4, []string{"environment variable NOPE (named by api_key_env) is not set or empty: set it to the zampto API key"}},
		{"variable blank", kindPanel("zampto", "api_key_env: BLANK"), 4, []string{"environment variable BLANK (named by api_key_env) is not set or empty"}},
		{"secret instead of its name", kindPanel("zampto", "api_key_env: "+fileMainKey), 4, []string{"api_key_env must be the NAME of an environment variable", "not the secret itself", "OTHER_API_KEY=…"}},
		{"lower-case name", kindPanel("zampto", "api_key_env: zampto_key"), 4, []string{"capital letters, digits and _"}},
		{"application key", kindPanel("pterodactyl", "api_key_env: ADMIN_KEY", "    url: https://p.example.com"), 4, []string{"environment variable ADMIN_KEY (api_key_env) holds an application (admin) key (ptla_…;", "ptlc_"}},
		{"key with Bearer", kindPanel("zampto", "api_key_env: SPACED_KEY"), 4, []string{"SPACED_KEY (api_key_env) contains spaces or quotes", "Bearer"}},
		{"token_env on pterodactyl", ptero("    token_env: SHARD_TOKEN"), 6, []string{"pterodactyl panels take api_key_env, not token_env"}},
		{"api_key_env on shardlyn", kindPanel("shardlyn", "api_key_env: SHARD_TOKEN"), 4, []string{"shardlyn panels take token_env (an API token) or email_env and password_env, not api_key_env"}},
		{"shardlyn nothing", "panels:\n  - name: s\n    kind: shardlyn\n", 2, []string{"a shardlyn panel needs token_env:", "token_env: S_TOKEN", "or email_env and password_env"}},
		{"shardlyn both", kindPanel("shardlyn", "token_env: SHARD_TOKEN", "    email_env: SHARD_EMAIL"), 4, []string{"either token_env (recommended) or email_env and password_env, not both"}},
		{"shardlyn email alone", kindPanel("shardlyn", "email_env: SHARD_EMAIL"), 2, []string{"email_env and password_env go together"}},
		{"shardlyn jwt", kindPanel("shardlyn", "token_env: JWT_TOKEN"), 4, []string{"JWT_TOKEN (token_env) does not hold a whole Shardlyn API token: it starts with shardlyn_api_"}},
		{"shardlyn bad email", kindPanel("shardlyn", "email_env: NOT_EMAIL", "    password_env: SHARD_PASSWORD"), 4, []string{"NOT_EMAIL (email_env) does not hold an email address"}},
		{"shardlyn password unset", kindPanel("shardlyn", "email_env: SHARD_EMAIL", "    password_env: NOPE"), 5, []string{"NOPE (named by password_env) is not set", "password"}},
		{"url with credentials", kindPanel("pterodactyl", "api_key_env: MAIN_PANEL_KEY", "    url: https://admin:"+fileShardPass+"@panel.example.com"), 5, []string{"without credentials"}},
	}
}

func serverCases() []badFile {
	return []badFile{
		{"query without protocol", ptero("    servers:", "      - id: abcd1234", "        query: {address: a:1}"), 8, []string{"query needs protocol: minecraft"}},
		{"query protocol unknown", ptero("    servers:", "      - id: abcd1234", "        query:", "          protocol: quake"), 9, []string{`query protocol "quake" is not known`}},
		{"query address no port", ptero("    servers:", "      - id: abcd1234", "        query:", "          protocol: a2s", "          address: play.example.com"), 10, []string{`query address "play.example.com" must be host:port`}},
		{"query address bad port", ptero("    servers:", "      - id: abcd1234", "        query: {protocol: a2s, address: 'h:99999'}"), 8, []string{"has no port between 1 and 65535"}},
		{"query unknown key", ptero("    servers:", "      - id: abcd1234", "        query:", "          protocol: a2s", "          port: 1"), 10, []string{"port"}},
		{"servers is a mapping", ptero("    servers:", "      id: a"), 7, []string{"servers must be a list, not \"key: value\" lines: start each server with '- id: …'"}},
		{"server id missing", ptero("    servers:", "      - alias: a"), 7, []string{"each server needs id:"}},
		{"server id with slash", ptero("    servers:", "      - id: a/b"), 7, []string{`id "a/b" must be 1 to 100 characters without spaces or '/'`}},
		{"server listed twice", ptero("    servers:", "      - id: abcd1234", "      - id: ABCD1234"), 8, []string{`server "ABCD1234" is listed twice (first on line 7): merge the two entries`}},
		{"server uuid", ptero("    servers:", "      - id: 1a7ce997-259b-452e-8b4e-cecc464142ca"), 7, []string{`is a full UUID: write its first 8 characters, 1a7ce997`}},
		{"server id shape", ptero("    servers:", "      - id: survival-1"), 7, []string{"is not a server identifier: write the 8 letters and digits"}},
		{"zampto id shape", kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    servers:", "      - id: abc"), 6, []string{`id "abc" is not a zampto server number`}},
		{"server name key", ptero("    servers:", "      - id: abcd1234", "        name: survival"), 8, []string{"a server has no name: key", "alias:"}},
		{"server roles key misplaced", ptero("    servers:", "      - id: abcd1234", "        admin: []"), 8, []string{"admin belongs in roles: of a server, not in a server"}},
		{"duplicate alias", ptero("    servers:", "      - {id: aaaa0001, alias: Survival}", "      - id: bbbb0002", "        alias: survival"), 9, []string{`alias "survival" is already used on line 7: give each server its own alias`}},
		{"alias is another id", ptero("    servers:", "      - id: aaaa0001", "      - id: bbbb0002", "        alias: AAAA0001"), 9, []string{`alias "AAAA0001" is the id of the server on line 7: pick another alias`}},
		{"id is an earlier alias", ptero("    servers:", "      - {id: aaaa0001, alias: bbbb0002}", "      - id: bbbb0002"), 8, []string{`id "bbbb0002" is also the alias on line 7: rename that alias`}},
		{"alias with slash", ptero("    servers:", "      - id: aaaa0001", "        alias: eu/survival"), 8, []string{"contains '/'", "use '-' instead"}},
		{"bad role id", ptero("    servers:", "      - id: aaaa0001", "        roles:", "          admin:", "            - \"112233445566778899\"", "            - admins"), 11, []string{`roles admin: "admins" is not a Discord ID`, "Copy ID"}},
		{"bad role in comma list", ptero("    servers:", "      - id: aaaa0001", "        roles: {viewer: \"112233445566778899,12\"}"), 8, []string{`roles viewer: "12" is not a Discord ID`}},
		{"role typo", ptero("    servers:", "      - id: aaaa0001", "        roles:", "          admins: []"), 9, []string{`unknown key "admins": did you mean "admin"?`}},
		{"roles is a list", ptero("    servers:", "      - id: aaaa0001", "        roles: [\"112233445566778899\"]"), 8, []string{"roles: must be \"key: value\" lines, not a list"}},
		{"role item is a mapping", ptero("    servers:", "      - id: aaaa0001", "        roles:", "          viewer:", "            - {id: 1}"), 10, []string{"viewer must be a single value"}},
		{"relay on zampto", kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    servers:", "      - id: 1", "        relay:", "          channel: \"334455667788990011\""), 7, []string{"zampto servers have no console to relay: remove relay:"}},
		{"relay on serverprism", kindPanel("serverprism", "api_key_env: PRISM_TOKEN", "    servers:", "      - id: 1", "        relay: {channel: \"334455667788990011\"}"), 7, []string{"serverprism servers have no console to relay"}},
		{"relay without channel", ptero("    servers:", "      - id: aaaa0001", "        relay:", "          commands: true"), 8, []string{"relay needs channel:", "Copy Channel ID"}},
		{"relay bad channel", ptero("    servers:", "      - id: aaaa0001", "        relay:", "          channel: general"), 9, []string{`relay channel: "general" is not a Discord ID`}},
		{"relay commands word", ptero("    servers:", "      - id: aaaa0001", "        relay: {channel: \"334455667788990011\", commands: maybe}"), 8, []string{"commands must be true or false"}},
		{"relay commands on shardlyn", kindPanel("shardlyn", "token_env: SHARD_TOKEN", "    servers:", "      - id: a", "        relay:", "          channel: \"334455667788990011\"", "          commands: true"), 9, []string{"shardlyn servers take no console commands from the bot: write commands: false"}},
		{"relay typo", ptero("    servers:", "      - id: aaaa0001", "        relay: {chanel: \"334455667788990011\"}"), 8, []string{`did you mean "channel"?`}},
		{"relay is text", ptero("    servers:", "      - id: aaaa0001", "        relay: \"334455667788990011\""), 8, []string{"relay: must be \"key: value\" lines, not a single value"}},
	}
}

func TestParseBadFiles(t *testing.T) {
	for _, c := range badFiles() {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(c.src)
			var fe *config.FileError
			require.ErrorAs(t, err, &fe)
			assert.ErrorIs(t, err, config.ErrConfig)
			assert.Equal(t, "bot.yaml", fe.Path)
			assert.Equal(t, c.line, fe.Line, err.Error())
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, s := range fileSecrets() {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

// TestSecretPastedAnywhereIsNotRepeated puts a secret into every place of
// the file that takes a value or a key; the error must not repeat it.
func TestSecretPastedAnywhereIsNotRepeated(t *testing.T) {
	const s = fileMainKey
	srcs := []string{
		"panels:\n  - name: " + s + "\n",
		"panels:\n  - name: a\n    kind: " + s + "\n",
		kindPanel("pterodactyl", "api_key_env: MAIN_PANEL_KEY", "    url: "+s),
		kindPanel("zampto", "token_env: "+s),
		kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    rate_limit: "+s),
		kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    "+s+": 1"),
		kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    colour: "+s),
		kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    servers:", "      - id: "+s+"/x"),
		kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    servers:", "      - {id: 1, alias: \""+s+"/x\"}"),
		kindPanel("zampto", "api_key_env: ZAMPTO_API_KEY", "    servers:", "      - {id: 1, roles: {admin: ["+s+"]}}"),
		ptero("    servers:", "      - {id: aaaa0001, relay: {channel: "+s+"}}"),
		ptero("    servers:", "      - {id: aaaa0001, relay: {channel: \"334455667788990011\", commands: "+s+"}}"),
		"panels:\n  - name: [" + s + "\n",
		s + "\n",
	}
	for i, src := range srcs {
		_, err := parse(src)
		require.Error(t, err, i)
		assert.NotContains(t, err.Error(), s, i)
		assert.NotContains(t, err.Error(), s[8:], i)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	f, err := parse(kindPanel("shardlyn", "email_env: SHARD_EMAIL", "    password_env: SHARD_PASSWORD"))
	require.NoError(t, err)
	sec := f.Panels[0].Secret
	assert.Equal(t, "(hidden, from $SHARD_EMAIL and $SHARD_PASSWORD)", sec.String())
	text, err := sec.MarshalText()
	require.NoError(t, err)
	js, err := json.Marshal(f)
	require.NoError(t, err)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "file", f, "secret", sec)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "file", f, "secret", sec)
	for _, out := range []string{sprintAll(f), string(text), sec.GoString(), sec.LogValue().String(), string(js), logged.String()} {
		assert.NotContains(t, out, fileShardPass)
		assert.NotContains(t, out, "bot@example.com")
	}
	assert.Equal(t, "(no secret)", config.Secret{}.String())
}

func sprintAll(v any) string {
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		b.WriteString(fmt.Sprintf(verb, v))
	}
	return b.String()
}
