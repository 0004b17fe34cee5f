package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

func writeDotEnv(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// TestDotEnvMistakesNeverQuoteTheFile: the parser's own errors repeat the
// rest of the file, secrets included; the bot's name the line instead.
func TestDotEnvMistakesNeverQuoteTheFile(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"a line without =", "LOG_LEVEL=info\nthis is not a variable\nDISCORD_TOKEN=" + token + "\n", "line 2 is not NAME=value"},
		{"an unclosed quote", "LOG_LEVEL=info\n\nPANEL_URL=\"https://p.example.com\nPANEL_API_KEY=" + panelKey + "\n", "line 3 opens a quoted value that is never closed"},
		{"a bad name after a multi-line value", "A=\"one\ntwo\"\nB C D\nPANEL_API_KEY=" + panelKey + "\n", "line 3 is not NAME=value"},
		{"a $ that would be expanded", "LOG_LEVEL=info\nPANEL_API_KEY=ptlc_SECRET$HOME\n", "line 2: the value of PANEL_API_KEY holds a $"},
		{"a $ in double quotes", "PANEL_API_KEY=\"ptlc_SECRET${X}\"\n", "line 1: the value of PANEL_API_KEY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeDotEnv(t, c.content)
			_, err := config.WithDotEnv(env(nil), path)
			var ce *config.Error
			require.ErrorAs(t, err, &ce)
			assert.ErrorIs(t, err, config.ErrConfig)
			assert.Equal(t, path, ce.Var)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "secret")
			assert.NotContains(t, err.Error(), "SECRET")
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

// TestDotEnvFromWindows: a byte-order mark and CRLF line ends, as Notepad
// saves them, read like any other file.
func TestDotEnvFromWindows(t *testing.T) {
	path := writeDotEnv(t, "\ufeffDISCORD_TOKEN="+token+"\r\nPANEL_URL=https://panel.example.com\r\nPANEL_API_KEY='"+panelKey+"'\r\n")
	get, err := config.WithDotEnv(env(nil), path)
	require.NoError(t, err)
	c, err := config.Load(get)
	require.NoError(t, err)
	assert.Equal(t, token, c.DiscordToken)
	assert.Equal(t, panelKey, c.PanelAPIKey)
}

// TestDotEnvDollarsKeptAsWritten: single quotes, an escape, or a $ that is
// no variable name leave the value alone, so they are accepted.
func TestDotEnvDollarsKeptAsWritten(t *testing.T) {
	path := writeDotEnv(t, "A='pa$SWORD'\nD=cost $5\n")
	_, err := config.WithDotEnv(env(nil), path)
	require.ErrorContains(t, err, "line 2", "godotenv would read $5 as a variable and drop it")
	path = writeDotEnv(t, "A='pa$SWORD'\nB=pa\\$SWORD\nC=pa$$word\nE=pa$word\n")
	get, err := config.WithDotEnv(env(nil), path)
	require.NoError(t, err)
	assert.Equal(t, "pa$SWORD", get("A"))
	assert.Equal(t, "pa$SWORD", get("B"))
	assert.Equal(t, "pa$$word", get("C"))
}

func TestDotEnvTooLarge(t *testing.T) {
	path := writeDotEnv(t, "A="+strings.Repeat("x", 1<<20)+"\n")
	_, err := config.WithDotEnv(env(nil), path)
	assert.ErrorContains(t, err, "larger than 1 MiB")
}

// TestEnvironmentValueEdgeCases: what a shell, docker --env-file or a
// wrapped paste leaves in the environment.
func TestEnvironmentValueEdgeCases(t *testing.T) {
	cases := []struct{ name, key, value, want string }{
		{"quoted id", "ACL_ADMIN_ROLES", `"` + roleA + `"`, "without quotes"},
		{"single-quoted level", "LOG_LEVEL", "'debug'", "without quotes"},
		{"token with a line break inside", "DISCORD_TOKEN", token[:20] + "\n" + token[20:], "spaces or quotes"},
		{"key with a tab inside", "PANEL_API_KEY", "ptlc_abc\tSECRET", "spaces or quotes"},
		{"discord api url", "DISCORD_API_URL", "discord.com/api", "https://discord.com/api/v10"},
		{"panel url with a fragment", "PANEL_URL", "https://panel.example.com/#x", "fragment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kv := minimal()
			kv[c.key] = c.value
			_, err := config.Load(env(kv))
			var ce *config.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, c.key, ce.Var)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "SECRET")
			assert.NotContains(t, err.Error(), "secretsecret")
		})
	}
	kv := minimal()
	kv["ACL_ADMIN_ROLES"] = "  " + roleA + " ,\t" + userA + " , " + roleA + " "
	c, err := config.Load(env(kv))
	require.NoError(t, err, "blanks around and duplicates in a list are fine")
	assert.Equal(t, []string{roleA, userA}, c.ACL.AdminRoles)
}

// FuzzDotEnv feeds arbitrary .env files: never a panic, every failure one
// line per mistake, each an *Error naming the file, and no failure repeats
// a value of the file.
func FuzzDotEnv(f *testing.F) {
	for _, s := range []string{
		"A=1\n", "A='x\n", "A=\"x\ny\"\n", "bad line\n", "\ufeffA=1\r\n", "export A=1\n", "A: 1\n", "=x\n", "A=${B}\n", "\x00=\xff\n",
	} {
		f.Add(s)
	}
	const marker = "ptlc_FUZZSECRETVALUE"
	f.Fuzz(func(t *testing.T, content string) {
		path := writeDotEnv(t, content+"\nKEY="+marker+"\n"+content)
		_, err := config.WithDotEnv(env(nil), path)
		if err == nil {
			return
		}
		var ce *config.Error
		require.ErrorAs(t, err, &ce)
		assert.NotContains(t, err.Error(), "FUZZSECRET")
		for _, line := range strings.Split(err.Error(), "\n") {
			assert.True(t, strings.HasPrefix(line, path+": "), "one line per mistake, naming the file: %q", line)
		}
	})
}

// TestEveryDotEnvMistakeInOneRun: a .env file with several bad lines gets
// one line each, in file order, and the good lines are still not echoed.
func TestEveryDotEnvMistakeInOneRun(t *testing.T) {
	path := writeDotEnv(t, "GOOD=1\nbad line\nALSO=$HOME\nA='open\n")
	_, err := config.WithDotEnv(env(nil), path)
	require.ErrorIs(t, err, config.ErrConfig)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 3, err.Error())
	assert.Contains(t, lines[0], "line 2 is not NAME=value")
	assert.Contains(t, lines[1], "line 3")
	assert.Contains(t, lines[2], "line 4 opens a quoted value")
}
