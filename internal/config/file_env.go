package config

import (
	"strings"
	"time"
)

// EnvConfigFile names the variable that points at the multi-panel file.
const EnvConfigFile = "CONFIG_FILE"

// panelVars are the single-panel variables the file replaces. Setting them
// next to CONFIG_FILE would leave two answers to "which panel?", so it is
// refused rather than one silently winning. PANEL_API_KEY is not among
// them: the file may name it with api_key_env.
func panelVars() []struct{ name, advice string } {
	return []struct{ name, advice string }{
		{"PANEL_KIND", "declare kind: for each panel in the file"},
		{"PANEL_URL", "declare url: for each panel in the file"},
		{"PANEL_RATE_LIMIT", "declare rate_limit: for each panel in the file"},
		{"PANEL_EMAIL", "name the variables with email_env: and password_env: in the file"},
		{"PANEL_PASSWORD", "name the variables with email_env: and password_env: in the file"},
		{"RELAY_CHANNEL_ID", "declare relay: channel: under the server in the file"},
		{"RELAY_SERVER", "declare relay: under the server in the file"},
		{"RELAY_COMMANDS", "declare relay: commands: under the server in the file"},
	}
}

// LoadAll is what the bot calls at start-up. Without CONFIG_FILE it is Load
// (one panel from PANEL_*), described as a one-panel File by EnvFile. With it, the panels and
// relays come from the file, the rest (Discord, global ACL tiers, audit,
// logs) from the environment as before; the returned Config then has empty
// PanelKind, PanelURL and PanelAPIKey, and no RELAY_* settings. Every
// mistake, of the environment and of the file, is reported at once.
func LoadAll(getenv Getenv) (Config, *File, error) {
	path := strings.TrimSpace(getenv(EnvConfigFile))
	if path == "" {
		c, err := Load(getenv)
		if err != nil {
			return Config{}, nil, err
		}
		return c, EnvFile(c), nil
	}
	if looksSecret(path) {
		return Config{}, nil, &Error{Var: EnvConfigFile, Problem: misplacedSecret(EnvConfigFile)}
	}
	errs := conflicts(getenv)
	c, err := load(getenv, false)
	errs = appendErrors(errs, err)
	f, err := LoadFile(path, getenv)
	errs = appendErrors(errs, err)
	if err := joinErrors(errs); err != nil {
		return Config{}, nil, err
	}
	return c, f, nil
}

// conflicts reports the single-panel variables set next to CONFIG_FILE.
func conflicts(getenv Getenv) []error {
	var errs []error
	for _, v := range panelVars() {
		if strings.TrimSpace(getenv(v.name)) != "" {
			errs = append(errs, &Error{Var: v.name, Problem: "is set, but " + EnvConfigFile + " declares the panels: remove " +
				v.name + " and " + v.advice})
		}
	}
	return errs
}

// appendErrors adds err to errs, flattening what joinErrors joined.
func appendErrors(errs []error, err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return append(errs, j.Unwrap()...)
	}
	if err != nil {
		errs = append(errs, err)
	}
	return errs
}

// EnvPanelName names the single panel of the environment setup; users may
// type main/<server>.
const EnvPanelName = "main"

// EnvFile describes the environment's single panel as a one-panel File, so
// the bot builds its panels the same way whichever setup it was given. Its
// relay (RELAY_SERVER names a server by name or identifier) stays in Config
// and is resolved once the panel has listed its servers.
func EnvFile(c Config) *File {
	k, ok := kindInfoFor(c.PanelKind)
	if !ok {
		k.per = time.Minute
	}
	secret := Secret{key: c.PanelAPIKey, from: []string{"PANEL_API_KEY"}}
	if c.PanelAPIKey == "" && c.PanelEmail != "" {
		secret = Secret{email: c.PanelEmail, password: c.PanelPassword, from: []string{"PANEL_EMAIL", "PANEL_PASSWORD"}}
	}
	return &File{Path: "environment", Panels: []Panel{{
		Name:      EnvPanelName,
		Kind:      c.PanelKind,
		URL:       c.PanelURL,
		Secret:    secret,
		RateLimit: c.PanelRateLimit,
		RatePer:   k.per,
	}}}
}
