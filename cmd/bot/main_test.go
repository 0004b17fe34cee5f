package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/panelbot/panelbot/internal/app"
	"github.com/panelbot/panelbot/internal/config"
)

func TestExitCode(t *testing.T) {
	assert.Equal(t, 0, exitCode(io.Discard, nil))
	assert.Equal(t, 2, exitCode(io.Discard, &config.Error{Var: "DISCORD_TOKEN", Problem: "required"}))
	assert.Equal(t, 2, exitCode(io.Discard, fmt.Errorf("%w: unknown command", app.ErrUsage)))
	assert.Equal(t, 1, exitCode(io.Discard, app.ErrCheckFailed))
	assert.Equal(t, 1, exitCode(io.Discard, fmt.Errorf("%w: HTTP 503", app.ErrUnhealthy)), "Docker's HEALTHCHECK reserves 2")
	assert.Equal(t, 1, exitCode(io.Discard, errors.New("connect to Discord: refused")))
}

func TestExitCodePrintsEveryMistake(t *testing.T) {
	var out strings.Builder
	err := errors.Join(&config.Error{Var: "DISCORD_TOKEN", Problem: "required"}, &config.Error{Var: "LOG_LEVEL", Problem: "must be debug"})
	assert.Equal(t, 2, exitCode(&out, err))
	assert.Equal(t, "bot: DISCORD_TOKEN: required\nbot: LOG_LEVEL: must be debug\n", out.String())
}
