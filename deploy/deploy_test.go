// Package deploy holds the deployment files (the egg, the systemd unit);
// its tests check them against what the panels, systemd and the bot need.
package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// egg is the part of the PTDL_v2 format that Pterodactyl's and Pelican's
// importers require (EggImporterService and the Egg model's rules).
type egg struct {
	Meta struct {
		Version string `json:"version"`
	} `json:"meta"`
	Name         string            `json:"name"`
	Author       string            `json:"author"`
	Description  string            `json:"description"`
	DockerImages map[string]string `json:"docker_images"`
	FileDenylist []string          `json:"file_denylist"`
	Startup      string            `json:"startup"`
	Config       struct {
		Files   *string `json:"files"`
		Startup *string `json:"startup"`
		Logs    *string `json:"logs"`
		Stop    string  `json:"stop"`
	} `json:"config"`
	Scripts struct {
		Installation struct {
			Script     string `json:"script"`
			Container  string `json:"container"`
			Entrypoint string `json:"entrypoint"`
		} `json:"installation"`
	} `json:"scripts"`
	Variables []eggVariable `json:"variables"`
}

type eggVariable struct {
	Name         string  `json:"name"`
	Description  *string `json:"description"`
	EnvVariable  string  `json:"env_variable"`
	DefaultValue *string `json:"default_value"`
	UserViewable *bool   `json:"user_viewable"`
	UserEditable *bool   `json:"user_editable"`
	Rules        string  `json:"rules"`
	FieldType    string  `json:"field_type"`
}

// reservedEnv are the names Pterodactyl refuses for an egg variable.
func reservedEnv() []string {
	return []string{"SERVER_MEMORY", "SERVER_IP", "SERVER_PORT", "ENV", "HOME", "USER", "STARTUP", "SERVER_UUID", "UUID"}
}

func TestEggHasWhatThePanelsRequire(t *testing.T) {
	raw, err := os.ReadFile("egg-panelbot.json")
	require.NoError(t, err)
	var e egg
	require.NoError(t, json.Unmarshal(raw, &e))
	assert.Equal(t, "PTDL_v2", e.Meta.Version)
	assert.NotEmpty(t, e.Name)
	assert.Regexp(t, `^[^@\s]+@[^@\s]+\.[a-z]+$`, e.Author, "the Egg model validates author as an email")
	assert.NotEmpty(t, e.DockerImages)
	assert.NotNil(t, e.FileDenylist)
	assert.Contains(t, e.Startup, "./panelbot run")
	for name, v := range map[string]*string{"files": e.Config.Files, "startup": e.Config.Startup, "logs": e.Config.Logs} {
		require.NotNil(t, v, "config.%s", name)
		assert.True(t, json.Valid([]byte(*v)), "config.%s is JSON in a string", name)
	}
	assert.Contains(t, *e.Config.Startup, "bot ready", "the panel marks the server started on the bot's ready line")
	assert.Equal(t, "^C", e.Config.Stop, "SIGINT: the bot shuts down cleanly")
	in := e.Scripts.Installation
	assert.NotEmpty(t, in.Container)
	assert.NotEmpty(t, in.Entrypoint)
	assert.Contains(t, in.Script, "/mnt/server/panelbot")
	assert.NotContains(t, in.Script, "\r")
}

func TestEggVariablesAreTheBotsSettings(t *testing.T) {
	raw, err := os.ReadFile("egg-panelbot.json")
	require.NoError(t, err)
	var e egg
	require.NoError(t, json.Unmarshal(raw, &e))
	known := botVariables(t)
	envRE := regexp.MustCompile(`^\w{1,191}$`)
	seen := map[string]bool{}
	for _, v := range e.Variables {
		assert.NotEmpty(t, v.Name, v.EnvVariable)
		assert.LessOrEqual(t, len(v.Name), 191)
		assert.NotNil(t, v.Description, v.EnvVariable)
		assert.NotNil(t, v.DefaultValue, v.EnvVariable)
		assert.NotNil(t, v.UserViewable, v.EnvVariable)
		assert.NotNil(t, v.UserEditable, v.EnvVariable)
		assert.NotEmpty(t, v.Rules, v.EnvVariable)
		assert.Equal(t, "text", v.FieldType, v.EnvVariable)
		assert.Regexp(t, envRE, v.EnvVariable)
		assert.NotContains(t, reservedEnv(), v.EnvVariable)
		assert.False(t, seen[v.EnvVariable], "%s twice", v.EnvVariable)
		seen[v.EnvVariable] = true
		if v.EnvVariable != "PANELBOT_VERSION" { // the install script's
			assert.True(t, known[v.EnvVariable], "%s is not a setting of the bot", v.EnvVariable)
		}
	}
	for _, required := range []string{"DISCORD_TOKEN", "PANEL_KIND", "PANEL_URL", "PANEL_API_KEY", "ACL_ADMIN_ROLES"} {
		assert.True(t, seen[required], required)
	}
}

// botVariables are the variables the README's configuration table lists.
func botVariables(t *testing.T) map[string]bool {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	out := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z_]+)`(?:, `([A-Z_]+)`)? \\|").FindAllStringSubmatch(string(readme), -1) {
		out[m[1]] = true
		if m[2] != "" {
			out[m[2]] = true
		}
	}
	require.True(t, out["DISCORD_TOKEN"] && out["PANEL_EMAIL"])
	return out
}

func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "compose.yaml"))
	require.NoError(t, err)
	var c struct {
		Services map[string]struct {
			Restart     string            `yaml:"restart"`
			EnvFile     string            `yaml:"env_file"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &c))
	s, ok := c.Services["panelbot"]
	require.True(t, ok)
	assert.Equal(t, "unless-stopped", s.Restart)
	assert.Equal(t, ".env", s.EnvFile)
	assert.Equal(t, "/data", s.Environment["DATA_DIR"])
	assert.NotEmpty(t, s.Environment["METRICS_ADDR"], "bot health asks METRICS_ADDR")
	assert.Contains(t, s.Volumes, "panelbot-data:/data")
	assert.Contains(t, c.Volumes, "panelbot-data")
	assert.Equal(t, []string{"CMD", "/bot", "health"}, s.Healthcheck.Test)
}

func TestSystemdUnitIsHardened(t *testing.T) {
	raw, err := os.ReadFile("panelbot.service")
	require.NoError(t, err)
	lines := map[string]bool{}
	for _, l := range strings.Split(string(raw), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for _, want := range []string{
		"DynamicUser=yes", "StateDirectory=panelbot", "Environment=DATA_DIR=/var/lib/panelbot",
		"ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes", "PrivateTmp=yes", "PrivateDevices=yes",
		"CapabilityBoundingSet=", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "MemoryDenyWriteExecute=yes",
		"SystemCallFilter=@system-service", "Restart=on-failure", "RestartPreventExitStatus=2",
	} {
		assert.True(t, lines[want], want)
	}
}
