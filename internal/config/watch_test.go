package config_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

func TestWatchSettings(t *testing.T) {
	env := map[string]string{"DISCORD_TOKEN": token, "PANEL_URL": "https://panel.example.com", "PANEL_API_KEY": panelKey}
	get := func(k string) string { return env[k] }
	c, err := config.Load(get)
	require.NoError(t, err)
	assert.Equal(t, config.Watch{Interval: 30 * time.Second, AlertFor: 5 * time.Minute,
		Limits: config.Thresholds{CPUPercent: 90, MemoryPercent: 90, DiskPercent: 95}}, c.Watch)

	env["DASHBOARD_INTERVAL"], env["ALERT_FOR"], env["ALERT_CPU_PERCENT"] = "1m", "90s", "250"
	env["ALERT_CHANNEL_ID"], env["ALERT_ROLE_ID"] = "123456789012345678", "223456789012345678"
	c, err = config.Load(get)
	require.NoError(t, err)
	assert.Equal(t, time.Minute, c.Watch.Interval)
	assert.Equal(t, 90*time.Second, c.Watch.AlertFor)
	assert.Equal(t, 250.0, c.Watch.Limits.CPUPercent)
	assert.Equal(t, "223456789012345678", c.Watch.AlertRoleID)

	for k, v := range map[string]string{"DASHBOARD_INTERVAL": "5s", "ALERT_FOR": "soon", "ALERT_MEMORY_PERCENT": "120",
		"ALERT_DISK_PERCENT": "0", "ALERT_ROLE_ID": "admins"} {
		bad := maps.Clone(env)
		bad[k] = v
		_, err := config.Load(func(n string) string { return bad[n] })
		require.Error(t, err, k)
		assert.True(t, strings.HasPrefix(err.Error(), k+": "), err.Error())
	}
}
