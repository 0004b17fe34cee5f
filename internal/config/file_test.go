package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/panel"
)

// The secrets the files name; every one is longer than any value an error
// may quote, so finding one in an error is a leak.
const (
	fileMainKey   = "ptlc_MAINsecretKEY0123456789abcdefABCDEF"
	fileZamptoKey = "zmp_ZAMPTOsecretKEY0123456789abcdef"
	filePrismKey  = "prism_PRISMsecretTOKEN0123456789abc"
	fileShardTok  = "shardlyn_api_SHARDsecretTOKEN0123456789"
	fileShardPass = "SHARDsecretPASSWORD-correct-horse-battery"
	fileAdminRole = "112233445566778899"
	fileChannel   = "334455667788990011"
)

func fileSecrets() []string {
	return []string{fileMainKey, fileZamptoKey, filePrismKey, fileShardTok, fileShardPass}
}

func fileVars() map[string]string {
	return map[string]string{
		"MAIN_PANEL_KEY": fileMainKey,
		"ZAMPTO_API_KEY": fileZamptoKey,
		"PRISM_TOKEN":    filePrismKey,
		"SHARD_TOKEN":    fileShardTok,
		"SHARD_EMAIL":    "bot@example.com",
		"SHARD_PASSWORD": fileShardPass,
		"BLANK":          "  ",
		"ADMIN_KEY":      "ptla_" + fileMainKey,
		"SPACED_KEY":     "Bearer " + fileZamptoKey,
		"JWT_TOKEN":      "eyJhbGciOiJIUzI1NiJ9." + fileShardTok,
		"NOT_EMAIL":      fileShardPass,
	}
}

func fileGetenv(kv map[string]string) config.Getenv {
	return func(k string) string { return kv[k] }
}

// yamlLines joins lines so that a case's line numbers can be counted: the
// first string is line 1.
func yamlLines(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

func parse(src string) (*config.File, error) {
	return config.ParseFile("bot.yaml", []byte(src), fileGetenv(fileVars()))
}

func TestLoadExample(t *testing.T) {
	f, err := config.LoadFile(filepath.Join("testdata", "example.yaml"), fileGetenv(fileVars()))
	require.NoError(t, err)
	want := []config.Panel{
		{
			Name: "main", Kind: config.KindPterodactyl, URL: "https://panel.example.com",
			RateLimit: 240, RatePer: time.Minute, Line: 14,
			Servers: []config.Server{
				{ID: "1a7ce997", Alias: "survival", Line: 20,
					ACL:   &acl.Rules{OperatorRoles: []string{"112233445566778899"}, AdminRoles: []string{"223344556677889900"}},
					Relay: &config.Relay{ChannelID: "334455667788990011", Commands: true, Line: 25}},
				{ID: "5b0e2d41", Alias: "creative", Line: 28,
					Relay: &config.Relay{ChannelID: "334455667788990011", Line: 30}},
			},
		},
		{
			Name: "zampto", Kind: config.KindZampto, RateLimit: 5, RatePer: 10 * time.Second, Line: 35,
			Servers: []config.Server{{ID: "104233", Alias: "lobby", Line: 40,
				ACL: &acl.Rules{ViewerRoles: []string{"445566778899001122"}, AdminUsers: []string{"556677889900112233"}}}},
		},
	}
	require.Len(t, f.Panels, 2)
	for i := range want {
		got := f.Panels[i]
		got.Secret = config.Secret{} // compared apart: its fields are hidden
		assert.Equal(t, want[i], got)
	}
	assert.Equal(t, fileMainKey, f.Panels[0].Secret.Key())
	assert.Equal(t, fileZamptoKey, f.Panels[1].Secret.Key())
	assert.Equal(t, filepath.Join("testdata", "example.yaml"), f.Path)
	assert.ElementsMatch(t, []string{fileMainKey, fileZamptoKey}, f.Secrets())
}

// TestExampleWiresUp feeds the example to what the bot builds from it: the
// registry's aliases and the access policy's per-server overrides.
func TestExampleWiresUp(t *testing.T) {
	f, err := config.LoadFile(filepath.Join("testdata", "example.yaml"), fileGetenv(fileVars()))
	require.NoError(t, err)
	reg := panel.NewRegistry()
	policy, err := acl.New(acl.Rules{AdminUsers: []string{"998877665544332211"}})
	require.NoError(t, err)
	for _, p := range f.Panels {
		require.NoError(t, reg.Add(p.Name, nil, p.Aliases()))
		for _, s := range p.Servers {
			if s.ACL != nil {
				require.NoError(t, policy.Override(p.TargetKey(s), *s.ACL))
			}
		}
	}
	assert.Equal(t, map[string]string{"survival": "1a7ce997", "creative": "5b0e2d41"}, f.Panels[0].Aliases())
	assert.Equal(t, "main/1a7ce997", f.Panels[0].TargetKey(f.Panels[0].Servers[0]))
	op := acl.Member{UserID: "1", Roles: []string{"112233445566778899"}}
	assert.NoError(t, policy.Check(op, acl.Operate, "main/1a7ce997"))
	assert.Error(t, policy.Check(op, acl.Operate, "main/5b0e2d41"))
}

func TestParseEveryKind(t *testing.T) {
	f, err := parse(yamlLines(
		"panels:",
		"  - name: Eu-1",
		"    kind: PELICAN",
		"    url: http://127.0.0.1:8080/",
		"    api_key_env: MAIN_PANEL_KEY",
		"  - name: prism",
		"    kind: serverprism",
		"    api_key_env: PRISM_TOKEN",
		"    rate_limit: 30",
		"    write_rate_limit: 10",
		"    servers:",
		"      - id: 42",
		"        roles: {admin: \"112233445566778899, 112233445566778899\"}",
		"  - name: shard",
		"    kind: shardlyn",
		"    email_env: SHARD_EMAIL",
		"    password_env: SHARD_PASSWORD",
		"    servers:",
		"      - id: inst-1",
		"        alias: inst-1",
		"        relay: {channel: 334455667788990011, commands: off}",
		"  - name: shard2",
		"    kind: shardlyn",
		"    token_env: SHARD_TOKEN",
		"    servers: []",
	))
	require.NoError(t, err)
	require.Len(t, f.Panels, 4)
	assert.Equal(t, "pelican", f.Panels[0].Kind)
	assert.Equal(t, "http://127.0.0.1:8080", f.Panels[0].URL)
	assert.Equal(t, 30, f.Panels[1].RateLimit)
	assert.Equal(t, 10, f.Panels[1].WriteRateLimit)
	assert.Equal(t, []string{"112233445566778899"}, f.Panels[1].Servers[0].ACL.AdminRoles, "comma list, duplicates dropped")
	email, pass := f.Panels[2].Secret.Login()
	assert.Equal(t, "bot@example.com", email)
	assert.Equal(t, fileShardPass, pass)
	assert.Empty(t, f.Panels[2].Secret.Key())
	assert.Equal(t, &config.Relay{ChannelID: fileChannel, Line: 21}, f.Panels[2].Servers[0].Relay)
	assert.Equal(t, fileShardTok, f.Panels[3].Secret.Key())
	assert.Empty(t, f.Panels[3].Servers)
}

func TestParseEmptyRolesInherit(t *testing.T) {
	f, err := parse(yamlLines(
		"panels:",
		"  - {name: main, kind: zampto, api_key_env: ZAMPTO_API_KEY, servers: [{id: 7, roles: {operator: []}}]}",
	))
	require.NoError(t, err)
	assert.Nil(t, f.Panels[0].Servers[0].ACL, "an empty override changes nothing")
}

func TestLoadFileProblems(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	require.NoError(t, os.WriteFile(big, []byte("# "+strings.Repeat("x", 1<<20)+"\n"), 0o600))
	empty := filepath.Join(dir, "empty.yaml")
	require.NoError(t, os.WriteFile(empty, []byte("# nothing yet\n\n"), 0o600))
	cases := []struct{ path, want string }{
		{filepath.Join(dir, "missing.yaml"), "no such file: fix CONFIG_FILE"},
		{dir, "must name the YAML file itself"},
		{big, "larger than 1 MiB"},
		{empty, "is empty: declare the panels under panels:"},
	}
	for _, c := range cases {
		_, err := config.LoadFile(c.path, fileGetenv(fileVars()))
		var fe *config.FileError
		require.ErrorAs(t, err, &fe, c.path)
		assert.Equal(t, c.path, fe.Path)
		assert.Zero(t, fe.Line)
		assert.Contains(t, err.Error(), c.want)
		assert.True(t, strings.HasPrefix(err.Error(), c.path+": "), err.Error())
		assert.ErrorIs(t, err, config.ErrConfig)
	}
}

func TestFileErrorFormat(t *testing.T) {
	err := error(&config.FileError{Path: "bot.yaml", Line: 12, Problem: "wrong"})
	assert.Equal(t, "bot.yaml:12: wrong", err.Error())
	assert.True(t, errors.Is(err, config.ErrConfig))
	f := &config.File{Path: "x.yaml"}
	assert.Equal(t, "x.yaml:3: refused", f.ErrorAt(3, "refused").Error())
}
