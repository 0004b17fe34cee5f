package config

import (
	"fmt"
	"strings"
)

// panel reads the one panel and its relay of the environment setup. Every
// kind a file may declare can be set up here too.
func (l *loader) panel(c *Config) {
	c.PanelKind = l.oneOf("PANEL_KIND", KindPterodactyl, kindNames()...)
	k, _ := kindInfoFor(c.PanelKind)
	c.PanelURL = l.panelURL(k)
	if k.login {
		c.PanelAPIKey, c.PanelEmail, c.PanelPassword = l.shardlynAuth()
	} else {
		c.PanelAPIKey = l.panelKey("PANEL_API_KEY", k)
	}
	c.PanelRateLimit = l.intBetween("PANEL_RATE_LIMIT", 0, 1, k.maxRate)
	c.RelayChannelID = l.id("RELAY_CHANNEL_ID")
	c.RelayServer = l.get("RELAY_SERVER")
	c.RelayCommands = l.oneOf("RELAY_COMMANDS", "off", "off", "on") == "on"
	if !l.failed["RELAY_CHANNEL_ID"] && !l.failed["RELAY_SERVER"] && !l.failed["RELAY_COMMANDS"] {
		l.relay(*c, k)
	}
}

// panelURL reads PANEL_URL: required where the kind documents no address.
func (l *loader) panelURL(k kindInfo) string {
	if k.needsURL {
		return l.url("PANEL_URL", "")
	}
	if l.get("PANEL_URL") == "" {
		return ""
	}
	return l.url("PANEL_URL", "https://panel.example.com")
}

// panelKey reads the key of every kind but Shardlyn.
func (l *loader) panelKey(name string, k kindInfo) string {
	v := l.get(name)
	ptero := k.name == KindPterodactyl || k.name == KindPelican
	switch {
	case v == "":
		l.fail(name, "required: set it to "+k.keyHint)
	case ptero && applicationKey(v):
		l.fail(name, applicationKeyAdvice)
	case hasBlankOrQuote(v):
		l.fail(name, "contains spaces or quotes: paste the key alone")
	}
	return v
}

// shardlynAuth reads a Shardlyn API token from PANEL_API_KEY, or a login
// from PANEL_EMAIL and PANEL_PASSWORD; never a mix.
func (l *loader) shardlynAuth() (token, email, password string) {
	token, email, password = l.get("PANEL_API_KEY"), l.get("PANEL_EMAIL"), l.get("PANEL_PASSWORD")
	switch {
	case token != "" && (email != "" || password != ""):
		l.fail("PANEL_API_KEY", "is set together with PANEL_EMAIL or PANEL_PASSWORD: set either the API token (recommended) or the login, not both")
	case token != "":
		l.shardlynToken(token)
	case email != "" && password != "":
		if strings.Count(email, "@") != 1 || strings.ContainsAny(email, " \t\r\n\"'<>") {
			l.fail("PANEL_EMAIL", "does not hold an email address: set it to the Shardlyn account's login email")
		}
	case email != "" || password != "":
		l.fail("PANEL_PASSWORD", "PANEL_EMAIL and PANEL_PASSWORD go together: set both, or PANEL_API_KEY to an API token instead (recommended)")
	default:
		l.fail("PANEL_API_KEY", "required: set it to a Shardlyn API token (shardlyn_api_…, Settings > API Tokens), "+
			"or set PANEL_EMAIL and PANEL_PASSWORD to the account's login")
	}
	return token, email, password
}

func (l *loader) shardlynToken(token string) {
	switch {
	case hasBlankOrQuote(token):
		l.fail("PANEL_API_KEY", "contains spaces or quotes: paste the token alone")
	case !strings.HasPrefix(token, shardlynTokenPrefix) || len(token) == len(shardlynTokenPrefix):
		l.fail("PANEL_API_KEY", "does not hold a whole Shardlyn API token: it starts with "+shardlynTokenPrefix+"; create one under Settings > API Tokens")
	}
}

// relay checks the relay variables as a group: one without the other is
// almost certainly a mistake, and a kind without a console has nothing to
// relay.
func (l *loader) relay(c Config, k kindInfo) {
	switch {
	case c.RelayChannelID != "" && c.RelayServer == "":
		l.fail("RELAY_SERVER", "required when RELAY_CHANNEL_ID is set: the identifier or name of the server to relay")
	case c.RelayServer != "" && c.RelayChannelID == "":
		l.fail("RELAY_CHANNEL_ID", "required when RELAY_SERVER is set: the ID of the Discord channel to relay into")
	case c.RelayCommands && c.RelayChannelID == "":
		l.fail("RELAY_COMMANDS", "is on but no relay is configured: set RELAY_CHANNEL_ID and RELAY_SERVER, or turn it off")
	case c.RelayChannelID != "" && !k.console:
		l.fail("RELAY_CHANNEL_ID", fmt.Sprintf("%s servers have no console to relay: unset RELAY_CHANNEL_ID and RELAY_SERVER "+
			"(pterodactyl, pelican and shardlyn servers have one)", k.name))
	case c.RelayCommands && !k.commands:
		l.fail("RELAY_COMMANDS", fmt.Sprintf("%s servers take no console commands from the relay: set RELAY_COMMANDS=off", k.name))
	}
}
