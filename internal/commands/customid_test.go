package commands

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/chart"
	"github.com/panelbot/panelbot/internal/panel"
)

func TestCustomIDRoundTrip(t *testing.T) {
	tests := []customID{
		{verb: verbPower, key: "main/abc123", signal: panel.SignalStart},
		{verb: verbPower, key: "main/a b/c%d?é", signal: panel.SignalKill},
		{verb: verbCancel, key: "p/1", signal: panel.SignalStop},
		{verb: verbConfirm, key: "main/abc123", signal: panel.SignalStop, expiry: 1_700_000_060},
		{verb: verbHistory, key: "main/abc123", rng: chart.Day},
	}
	for _, c := range tests {
		s, err := c.encode()
		require.NoError(t, err)
		assert.LessOrEqual(t, len(s), maxCustomIDLen)
		got, err := parseCustomID(s)
		require.NoError(t, err, s)
		assert.Equal(t, c, got)
	}
	assert.Equal(t, "confirm/main%2Fabc123/stop/1700000060", mustEncode(t, tests[3]))
	assert.Equal(t, "history/main%2Fabc123/24h", mustEncode(t, tests[4]))
}

func mustEncode(t *testing.T, c customID) string {
	s, err := c.encode()
	require.NoError(t, err)
	return s
}

func TestCustomIDTooLong(t *testing.T) {
	_, err := customID{verb: verbConfirm, key: "main/" + strings.Repeat("x", 80), signal: panel.SignalKill, expiry: 1}.encode()
	assert.Error(t, err)
	_, ok := powerButtons("main/" + strings.Repeat("x", 90))
	assert.False(t, ok)
}

func TestParseCustomIDRejects(t *testing.T) {
	for _, s := range []string{
		"", "power", "power/", "power//start", "power/main%2F/start", "power/%2Fabc/start",
		"power/main%2Fabc/START", "confirm/main%2Fa/stop/",
		"confirm/main%2Fa/stop/01", "confirm/main%2Fa/stop/+1", "confirm/main%2Fa/stop/1234567890123",
		"power/ma in%2Fa/start", "power/ma%20in%2Fa/start", "power/main%2Fa\x00/start", "power/main%2Fa%00/start",
		"power/main%2fabc/start", "power/main%2Fa/start\xff",
		"history/main%2Fa", "history/main%2Fa/24H", "history/main%2Fa/ 24h", "history/main%2Fa/2d", "history/main%2Fa/start",
		"history/main%2Fa/24h/1", "history/main/a/24h",
	} {
		_, err := parseCustomID(s)
		assert.ErrorIs(t, err, errBadCustomID, "%q", s)
	}
}

func FuzzParseCustomID(f *testing.F) {
	for _, s := range []string{
		"power/main%2Fabc123/start", "confirm/main%2Fabc123/stop/1700000060", "cancel/main%2Fabc123/kill",
		"power/main/abc/start", "power/%zz/start", "confirm/a%2Fb/stop/99999999999999999999", strings.Repeat("/", 120),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCustomID(s)
		if err != nil {
			return
		}
		// Anything accepted is exactly what encode writes.
		back, err := c.encode()
		if err != nil || back != s {
			t.Fatalf("accepted %q but it encodes as %q (%v)", s, back, err)
		}
		if _, err := panel.ParseSignal(string(c.signal)); err != nil {
			t.Fatalf("accepted bad signal in %q", s)
		}
	})
}
