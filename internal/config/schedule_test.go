package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

func TestScheduleTZ(t *testing.T) {
	c, err := config.Load(env(minimal()))
	require.NoError(t, err)
	assert.Equal(t, time.UTC, c.ScheduleTZ, "UTC by default")
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{in: "Europe/Berlin", want: "Europe/Berlin"},
		{in: "UTC", want: "UTC"},
		{in: "Mars/Olympus", bad: true},
		{in: "Local", bad: true},
		{in: "../etc/passwd", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			kv := minimal()
			kv[config.EnvScheduleTZ] = tc.in
			c, err := config.Load(env(kv))
			if tc.bad {
				assert.ErrorIs(t, err, config.ErrConfig)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.ScheduleTZ.String())
		})
	}
}
