package app

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersionLine(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"}}}
	assert.Equal(t, "panelbot v1.2.3 (revision 0123456789abcdef, 2026-12-01T10:00:00Z, modified) go1.26.0", versionLine(bi))
	assert.Equal(t, "panelbot (devel) go1.26.0", versionLine(&debug.BuildInfo{GoVersion: "go1.26.0"}))

	var out bytes.Buffer
	require.NoError(t, version(&out, func() (*debug.BuildInfo, bool) { return nil, false }))
	assert.Contains(t, out.String(), "no build information")
}

func TestVersionCommand(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), Options{Args: []string{"version"}, Stdout: &out}))
	assert.True(t, strings.HasPrefix(out.String(), "panelbot "), out.String())
	assert.Contains(t, out.String(), "go1.")
}
