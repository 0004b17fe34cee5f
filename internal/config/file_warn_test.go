package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWarnCommand(t *testing.T) {
	f, err := parse(yamlLines(
		"panels:",
		"  - name: main",
		"    kind: zampto",
		"    api_key_env: ZAMPTO_API_KEY",
		"    warn_command: \"broadcast {action} in {in}\"",
		"    servers:",
		"      - id: 7",
		"        warn_command: \"say Restart in {in}\"",
		"      - id: 8",
	))
	require.NoError(t, err)
	assert.Equal(t, "say Restart in {in}", f.WarnCommand("main/7"))
	assert.Equal(t, "broadcast {action} in {in}", f.WarnCommand("main/8"))
	assert.Equal(t, "broadcast {action} in {in}", f.WarnCommand("main/9"), "a server not listed")
	assert.Empty(t, f.WarnCommand("other/7"))

	_, err = parse(yamlLines(
		"panels:",
		"  - name: main",
		"    kind: zampto",
		"    api_key_env: ZAMPTO_API_KEY",
		"    warn_command: \"say a\\nstop\"",
	))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "warn_command must be one console line")
}
