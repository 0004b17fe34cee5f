package config_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

// longFile is a valid file of many panels (5 lines each, with a comment and
// a blank line between them), so that a mistake appended to it sits far
// from line 1, where yaml.v3 would name the enclosing block.
func longFile(panels int) []string {
	lines := []string{"panels:"}
	for i := range panels {
		lines = append(lines,
			fmt.Sprintf("  - name: p%d", i),
			"    kind: zampto",
			"    api_key_env: ZAMPTO_API_KEY",
			"    # a comment",
			"")
	}
	return lines
}

// TestFileErrorLines: every kind of mistake is reported at its own line,
// however far into the file it is and whatever follows it.
func TestFileErrorLines(t *testing.T) {
	base := longFile(40) // 201 lines; a case's first line is 202
	cases := []struct {
		name string
		more []string
		line int
		want string
	}{
		{"type mismatch", []string{"  - name: x", "    kind: zampto", "    api_key_env: ZAMPTO_API_KEY", "    rate_limit: [1, 2]"}, 205, "rate_limit must be a single value, not a list"},
		{"servers not a list", []string{"  - name: x", "    kind: zampto", "    api_key_env: ZAMPTO_API_KEY", "    servers: 7"}, 205, "servers must be a list, not a single value"},
		{"unknown key", []string{"  - name: x", "    kind: zampto", "    colour: blue", "    api_key_env: ZAMPTO_API_KEY"}, 204, `unknown key "colour"`},
		{"duplicate key", []string{"  - name: x", "    kind: zampto", "    api_key_env: ZAMPTO_API_KEY", "", "    kind: pelican"}, 206, `"kind" is set twice (first on line 203)`},
		{"key indented too far", []string{"  - name: x", "    kind: zampto", "      api_key_env: ZAMPTO_API_KEY"}, 204, "mapping values are not allowed"},
		{"key indented too little", []string{"  - name: x", "    kind: zampto", "   api_key_env: ZAMPTO_API_KEY", "  - name: y"}, 204, "check the indentation"},
		{"list item in a mapping", []string{"  - name: x", "    kind: zampto", "    - api_key_env: ZAMPTO_API_KEY", "", "    # more", "  - name: y"}, 204, "YAML syntax error"},
		{"unclosed quote", []string{"  - name: \"x", "    kind: zampto", "    api_key_env: ZAMPTO_API_KEY", "  - name: y"}, 202, "never closed"},
		{"unclosed bracket", []string{"  - name: x", "    servers: [1, 2", "    kind: zampto"}, 203, "list opened on this line is never closed"},
		{"tab", []string{"  - name: x", "\tkind: zampto"}, 203, "indented with a tab"},
		{"control character", []string{"  - name: x\x07"}, 202, "control characters are not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(yamlLines(append(append([]string{}, base...), c.more...)...))
			var fe *config.FileError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, c.line, fe.Line, err.Error())
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestSyntaxErrorLinesNearTheStart: the same mistakes on the first lines,
// where yaml.v3's own line numbers are off (it counts line 1 as none).
func TestSyntaxErrorLinesNearTheStart(t *testing.T) {
	cases := []struct {
		src  string
		line int
	}{
		{"panels: \"x\n  y: 1\n", 1},
		{"panels:\n  - name: a\n    kind: zampto\n   - name: b\n", 4},
		{"panels:\n  - name: a\n  # note\n\n    - kind: zampto\n\n# end\n", 5},
		{"panels: [a,\n  b\nc: 1\n", 1}, // where the bracket opens
	}
	for _, c := range cases {
		_, err := parse(c.src)
		var fe *config.FileError
		require.ErrorAs(t, err, &fe, c.src)
		assert.Equal(t, c.line, fe.Line, "%q: %v", c.src, err)
	}
}

// TestLongValuesNeverRepeatedInPart: a value long enough to be a secret is
// described by its length; not even its first characters are repeated.
func TestLongValuesNeverRepeatedInPart(t *testing.T) {
	srcs := []string{
		"panels:\n  - name: a\n    kind: " + fileMainKey + "\n",
		ptero("    " + fileMainKey + ": 1"),
		ptero("    rate_limit: *" + fileMainKey),
		ptero("    rate_limit: " + fileMainKey),
	}
	for _, src := range srcs {
		_, err := parse(src)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), fileMainKey[:6], src)
	}
	for _, key := range []string{"ACL_ADMIN_USERS", "PANEL_KIND", "LOG_LEVEL", "DISCORD_GUILD_ID", "PANEL_RATE_LIMIT"} {
		kv := minimal()
		kv[key] = token
		_, err := config.Load(env(kv))
		require.Error(t, err, key)
		assert.NotContains(t, err.Error(), token[:6], key)
	}
	_, err := parse(ptero("    colour: blue"))
	assert.ErrorContains(t, err, `"colour"`, "a short value is quoted whole")
	_, err = parse(ptero("    " + strings.Repeat("é", 30) + ": 1"))
	assert.ErrorContains(t, err, "(a value of 30 characters, not repeated)")
}
