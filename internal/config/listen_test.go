package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

func TestMetricsAddr(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "", want: ""},
		{in: "127.0.0.1:9090", want: "127.0.0.1:9090"},
		{in: " :9090 ", want: ":9090"},
		{in: "[::1]:9090", want: "[::1]:9090"},
		{in: "localhost:0", want: "localhost:0"},
		{in: "9090", err: "METRICS_ADDR: must be host:port"},
		{in: "127.0.0.1", err: "METRICS_ADDR: must be host:port"},
		{in: "127.0.0.1:", err: "METRICS_ADDR: must be host:port"},
		{in: "http://127.0.0.1:9090", err: "METRICS_ADDR: must be host:port"},
		{in: "127.0.0.1:http", err: `METRICS_ADDR: port "http": use a port number`},
		{in: "127.0.0.1:70000", err: `METRICS_ADDR: port "70000"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			kv := minimal()
			kv["METRICS_ADDR"] = tc.in
			c, err := config.Load(env(kv))
			alone, aloneErr := config.MetricsAddr(env(kv))
			if tc.err != "" {
				require.ErrorIs(t, err, config.ErrConfig)
				assert.Contains(t, err.Error(), tc.err)
				assert.Equal(t, err.Error(), aloneErr.Error())
				return
			}
			require.NoError(t, err)
			require.NoError(t, aloneErr)
			assert.Equal(t, tc.want, c.MetricsAddr)
			assert.Equal(t, tc.want, alone)
		})
	}
}
