package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl"
	"github.com/panelbot/panelbot/internal/panel/serverprism"
	"github.com/panelbot/panelbot/internal/panel/shardlyn"
	"github.com/panelbot/panelbot/internal/panel/zampto"
	"github.com/panelbot/panelbot/internal/telemetry"
)

// statusTTL is how long one server's figures are shared by everyone asking
// (the watcher's round, /status, the buttons) when nothing set the interval
// (bot check). Pterodactyl itself caches resources for 20 s.
const statusTTL = 5 * time.Second

// shareFor is how long one fetch of a server's figures serves everyone
// asking: most of a watch interval, so that the watcher's round, /status
// and the dashboards share one panel request per server per interval, and
// the next round still fetches anew. A power signal forgets it at once.
func shareFor(interval time.Duration) time.Duration {
	if interval <= 0 {
		return statusTTL
	}
	return interval - interval/10
}

// panels is the configured panels: the registry the commands resolve
// against, and the raw clients by panel name for what the registry's
// wrappers hide (websocket credentials, health checks).
type panels struct {
	registry *panel.Registry
	raw      map[string]panel.Client
	urls     map[string]string // panel URL by name: the Origin its nodes expect
	order    []string          // panel names as configured, for reports
}

// newPanels builds every panel client the file declares, registers them
// with their aliases, and gives servers their own access rules. A board,
// when given, lets relayed servers answer /status from their console stream;
// metrics, when given, hear every call that reaches a panel.
func newPanels(f *config.File, policy *acl.Policy, board *statsBoard, now func() time.Time, m *telemetry.Metrics, share time.Duration) (*panels, error) {
	ps := &panels{registry: panel.NewRegistry(panel.WithClock(now)), raw: map[string]panel.Client{}, urls: map[string]string{}}
	for _, p := range f.Panels {
		c, err := newClient(p, panelHTTP(m, p.Name))
		if err != nil {
			return nil, f.ErrorAt(p.Line, fmt.Sprintf("panel %s: %s", p.Name, panel.UserMessage(err)))
		}
		var wrapped panel.Client = panel.Coalesce(observePanel(m, p.Name, c), share, now)
		if board != nil {
			wrapped = liveStats{Client: wrapped, name: p.Name, board: board}
		}
		if err := ps.registry.Add(p.Name, wrapped, p.Aliases()); err != nil {
			return nil, f.ErrorAt(p.Line, err.Error())
		}
		ps.raw[p.Name], ps.urls[p.Name], ps.order = c, p.URL, append(ps.order, p.Name)
		if err := overrides(f, p, policy); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

func overrides(f *config.File, p config.Panel, policy *acl.Policy) error {
	if policy == nil {
		return nil
	}
	for _, s := range p.Servers {
		if s.ACL == nil {
			continue
		}
		if err := policy.Override(p.TargetKey(s), *s.ACL); err != nil {
			return f.ErrorAt(s.Line, err.Error())
		}
	}
	return nil
}

// newClient builds the client of one panel kind. The rate limits are the
// file's (or the environment's) where given, else each client's default,
// which follows the panel's documented limit. hc, when not nil, replaces
// the client's HTTP client.
func newClient(p config.Panel, hc *http.Client) (panel.Client, error) {
	switch p.Kind {
	case config.KindPterodactyl, config.KindPelican:
		opts := []pterodactyl.Option{pterodactyl.WithKind(p.Kind)}
		if p.RateLimit > 0 {
			opts = append(opts, pterodactyl.WithRateLimit(perMinute(p.RateLimit, p.RatePer)))
		}
		if hc != nil {
			opts = append(opts, pterodactyl.WithHTTPClient(hc))
		}
		return pterodactyl.New(p.URL, p.Secret.Key(), opts...)
	case config.KindZampto:
		var opts []zampto.Option
		if p.RateLimit > 0 {
			opts = append(opts, zampto.WithRateLimit(p.RateLimit, p.RatePer))
		}
		if hc != nil {
			opts = append(opts, zampto.WithHTTPClient(hc))
		}
		return zampto.New(p.URL, p.Secret.Key(), opts...)
	case config.KindServerPrism:
		return newServerPrism(p, hc)
	case config.KindShardlyn:
		return newShardlyn(p, hc)
	default:
		return nil, fmt.Errorf("unknown panel kind %q", p.Kind)
	}
}

func newServerPrism(p config.Panel, hc *http.Client) (panel.Client, error) {
	var opts []serverprism.Option
	if hc != nil {
		opts = append(opts, serverprism.WithHTTPClient(hc))
	}
	if p.RateLimit > 0 || p.WriteRateLimit > 0 {
		reads, writes := p.RateLimit, p.WriteRateLimit
		if reads == 0 {
			reads = 60
		}
		if writes == 0 {
			writes = 20
		}
		opts = append(opts, serverprism.WithRateLimits(reads, writes, p.RatePer))
	}
	return serverprism.New(p.URL, p.Secret.Key(), opts...)
}

func newShardlyn(p config.Panel, hc *http.Client) (panel.Client, error) {
	auth := shardlyn.APIToken(p.Secret.Key())
	if p.Secret.Key() == "" {
		auth = shardlyn.Password(p.Secret.Login())
	}
	var opts []shardlyn.Option
	if hc != nil {
		opts = append(opts, shardlyn.WithHTTPClient(hc))
	}
	if p.RateLimit > 0 {
		opts = append(opts, shardlyn.WithRateLimit(float64(p.RateLimit)/p.RatePer.Seconds(), 10))
	}
	return shardlyn.New(p.URL, auth, opts...)
}

// perMinute converts a limit counted per window into requests per minute.
func perMinute(n int, per time.Duration) int {
	if per <= 0 || per == time.Minute {
		return n
	}
	return int(float64(n) * float64(time.Minute) / float64(per))
}
