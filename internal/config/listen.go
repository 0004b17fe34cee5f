package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// EnvMetricsAddr names the variable that turns on /healthz and /metrics.
const EnvMetricsAddr = "METRICS_ADDR"

// MetricsAddr reads METRICS_ADDR alone, for `bot health`, which must not
// fail on settings it does not use. "" means unset.
func MetricsAddr(getenv Getenv) (string, error) {
	l := loader{env: getenv}
	v := l.listenAddr(EnvMetricsAddr)
	return v, l.result()
}

// listenAddr reads a host:port to listen on; "" (unset) leaves it off. The
// port is required, because a listener on a port the owner did not choose
// cannot be scraped; the host may be empty (every interface).
func (l *loader) listenAddr(name string) string {
	v := l.get(name)
	if v == "" {
		return ""
	}
	const advice = "must be host:port to listen on, such as 127.0.0.1:9090 (or :9090 for every interface), not %s"
	host, port, err := net.SplitHostPort(v)
	if err != nil || port == "" || strings.ContainsAny(host, " /") {
		l.fail(name, fmt.Sprintf(advice, quoted(v)))
		return ""
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		l.fail(name, fmt.Sprintf("port %s: use a port number up to 65535, such as 127.0.0.1:9090", quoted(port)))
		return ""
	}
	return v
}
