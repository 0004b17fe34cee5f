package app

import (
	"github.com/panelbot/panelbot/internal/alert"
	"github.com/panelbot/panelbot/internal/config"
	"github.com/panelbot/panelbot/internal/console"
)

// alertConfig reads the alert settings: ALERT_* from the environment, the
// per-panel and per-server alerts: of the config file over them.
func alertConfig(cfg config.Config, file *config.File) alert.Config {
	w := cfg.Watch
	ac := alert.Config{
		Channel: w.AlertChannelID, Role: w.AlertRoleID, For: w.AlertFor, Interval: w.Interval,
		Limits:  alert.Limits(w.Limits),
		Servers: map[string]alert.Settings{}, Panels: map[string]alert.Settings{},
	}
	for _, p := range file.Panels {
		if p.Alerts != nil {
			ac.Panels[p.Name] = alertSettings(*p.Alerts)
		}
		for _, s := range p.Servers {
			if s.Alerts != nil {
				ac.Servers[p.TargetKey(s)] = alertSettings(*s.Alerts)
			}
		}
	}
	return ac
}

func alertSettings(a config.Alerts) alert.Settings {
	return alert.Settings{Channel: a.ChannelID, Limits: alert.Limits(a.Limits)}
}

// startAlerts subscribes the alert evaluator to the watcher, when any alert
// has a channel to go to. powers is what the router tells of the bot's own
// power signals.
func (b *bot) startAlerts(cfg config.Config, file *config.File, powers *alert.Powers) error {
	ac := alertConfig(cfg, file)
	if !ac.Any() {
		return nil
	}
	var tails alert.Tails
	if b.relays != nil {
		tails = b.relays.tail
	}
	ev, err := alert.New(ac, b.memory.store, alert.NewDiscord(b.session, ac.Role), tails, powers, b.log)
	if err != nil {
		return err
	}
	b.memory.watcher.Subscribe(ev)
	b.log.Info("alerts on", "channel", ac.Channel, "role", ac.Role != "", "for", ac.For)
	return nil
}

// keyed records (r not nil) or forgets the relay of a server, so the
// alerts can attach its last lines.
func (rs *relays) keyed(key string, r *console.Relay) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.byKey == nil {
		rs.byKey = map[string]*console.Relay{}
	}
	if r == nil {
		delete(rs.byKey, key)
		return
	}
	rs.byKey[key] = r
}

// tail returns up to n of the last lines a relayed server's console sent;
// nil when the server is not relayed.
func (rs *relays) tail(key string, n int) []string {
	rs.mu.Lock()
	r := rs.byKey[key]
	rs.mu.Unlock()
	if r == nil {
		return nil
	}
	return r.Tail(n)
}
