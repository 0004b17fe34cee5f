// Command bot is the Discord bot that lets a community's staff see and
// control their game servers on hosting panels. Everything but waiting for
// a signal lives in internal/app, which the end-to-end tests drive too.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	// The zone database, so SCHEDULE_TZ works in an image without
	// /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/panelbot/panelbot/internal/app"
	"github.com/panelbot/panelbot/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := app.Run(ctx, app.Options{
		Args:   os.Args[1:],
		Getenv: os.Getenv,
		DotEnv: ".env",
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	})
	os.Exit(exitCode(os.Stderr, err))
}

// exitCode prints err, one line per mistake, each as "bot: VAR: problem",
// and picks the status: 2 for a mistake in the configuration or the command
// line, 1 for anything else.
func exitCode(w io.Writer, err error) int {
	if err == nil {
		return 0
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintln(w, "bot:", line)
	}
	if errors.Is(err, config.ErrConfig) || errors.Is(err, app.ErrUsage) {
		return 2
	}
	return 1
}
