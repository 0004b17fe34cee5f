package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/panelbot/panelbot/internal/app"
	"github.com/panelbot/panelbot/internal/config"
)

func TestExitCode(t *testing.T) {
	assert.Equal(t, 0, exitCode(nil))
	assert.Equal(t, 2, exitCode(&config.Error{Var: "DISCORD_TOKEN", Problem: "required"}))
	assert.Equal(t, 2, exitCode(fmt.Errorf("%w: unknown command", app.ErrUsage)))
	assert.Equal(t, 1, exitCode(app.ErrCheckFailed))
	assert.Equal(t, 1, exitCode(fmt.Errorf("%w: HTTP 503", app.ErrUnhealthy)), "Docker's HEALTHCHECK reserves 2")
	assert.Equal(t, 1, exitCode(errors.New("connect to Discord: refused")))
}
