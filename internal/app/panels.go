package app

import (
	"fmt"
	"time"

	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/pterodactyl"
)

// statusTTL is how long one /status answer is shared by everyone asking
// about the same server. Pterodactyl itself caches resources for 20 s, so a
// few seconds costs no freshness worth having.
const statusTTL = 5 * time.Second

// defaultPanelName names the single panel of the environment configuration.
const defaultPanelName = "main"

// panels is the configured panels: the registry the commands resolve
// against, and the raw clients by panel name for what the registry's
// wrappers hide (websocket credentials, health checks).
type panels struct {
	registry *panel.Registry
	raw      map[string]panel.Client
}

// newPanels builds the panel clients from the configuration.
func newPanels(cfg config.Config, now func() time.Time) (*panels, error) {
	opts := []pterodactyl.Option{pterodactyl.WithKind(cfg.PanelKind)}
	if cfg.PanelRateLimit > 0 {
		opts = append(opts, pterodactyl.WithRateLimit(cfg.PanelRateLimit))
	}
	c, err := pterodactyl.New(cfg.PanelURL, cfg.PanelAPIKey, opts...)
	if err != nil {
		return nil, &config.Error{Var: "PANEL_URL", Problem: err.Error()}
	}
	reg := panel.NewRegistry(panel.WithClock(now))
	if err := reg.Add(defaultPanelName, panel.Coalesce(c, statusTTL, now), nil); err != nil {
		return nil, fmt.Errorf("panels: %w", err)
	}
	return &panels{registry: reg, raw: map[string]panel.Client{defaultPanelName: c}}, nil
}
