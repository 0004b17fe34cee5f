package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/config"
)

// healthTimeout bounds `bot health`: Docker's HEALTHCHECK gives it 30 s by
// default, and a bot that cannot answer in a few is not healthy.
const healthTimeout = 5 * time.Second

// ErrUnhealthy is returned by `bot health` when the bot is not healthy or
// cannot be asked. It never wraps config.ErrConfig: Docker's HEALTHCHECK
// reserves exit status 2, so every failure exits 1.
var ErrUnhealthy = errors.New("unhealthy")

// health asks the running bot's /healthz on METRICS_ADDR and returns nil
// only for a 200.
func health(ctx context.Context, opts Options) error {
	getenv, err := config.WithDotEnv(opts.Getenv, opts.DotEnv)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnhealthy, err)
	}
	addr, err := config.MetricsAddr(getenv)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnhealthy, err)
	}
	if addr == "" {
		return fmt.Errorf("%w: METRICS_ADDR is not set: bot health asks the /healthz the bot serves there "+
			"(set METRICS_ADDR=127.0.0.1:9090, for the bot and for this check)", ErrUnhealthy)
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	url := "http://" + dialable(addr) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnhealthy, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: no answer from %s: %v", ErrUnhealthy, url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: HTTP %d: %s", ErrUnhealthy, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	fmt.Fprintln(opts.Stdout, strings.TrimSpace(string(body)))
	return nil
}

// dialable turns a listen address into one to connect to: a listener on
// every interface (":9090", "0.0.0.0:9090", "[::]:9090") is asked on the
// loopback.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
