package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

func TestFileAlerts(t *testing.T) {
	f, err := parse(ptero(
		"    alerts: {channel: \"445566778899001122\"}",
		"    servers:",
		"      - id: aaaa0001",
		"        alerts:",
		"          channel: \"334455667788990011\"",
		"          cpu_percent: 150",
		"          memory_percent: 80.5",
	))
	require.NoError(t, err)
	p := f.Panels[0]
	require.NotNil(t, p.Alerts)
	assert.Equal(t, "445566778899001122", p.Alerts.ChannelID)
	a := p.Servers[0].Alerts
	require.NotNil(t, a)
	assert.Equal(t, "334455667788990011", a.ChannelID)
	assert.Equal(t, config.Thresholds{CPUPercent: 150, MemoryPercent: 80.5}, a.Limits)
	assert.Equal(t, 9, a.Line)
}

func TestFileAlertsMistakes(t *testing.T) {
	cases := []badFile{
		{"alerts percent too high", ptero("    servers:", "      - id: aaaa0001", "        alerts:", "          memory_percent: 120"), 9,
			[]string{"memory_percent must be a percentage above 0 and at most 100"}},
		{"alerts percent word", ptero("    alerts:", "      disk_percent: lots"), 7, []string{"disk_percent must be a percentage"}},
		{"alerts channel", ptero("    alerts: {channel: general}"), 6, []string{"alerts channel:"}},
		{"alerts typo", ptero("    alerts: {cpu: 90}"), 6, []string{`did you mean "cpu_percent"?`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(c.src)
			var fe *config.FileError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, c.line, fe.Line, err.Error())
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
