package config

import (
	"regexp"
	"strings"
)

// shardlynTokenPrefix starts every Shardlyn API token.
const shardlynTokenPrefix = "shardlyn_api_"

// credentials resolves the variables a panel names for its secret.
func (d *decoder) credentials(m *mapping, k kindInfo, panelName string) Secret {
	switch {
	case k.name == "":
		return Secret{} // the unknown kind was reported already
	case k.login:
		return d.shardlynAuth(m, panelName)
	}
	p := m.get("api_key_env")
	if p.value == nil {
		name := envSuggestion(panelName, "API_KEY")
		d.fail(m.node, "a %s panel needs api_key_env: the name of the environment variable holding %s, e.g. api_key_env: %s",
			k.name, k.keyHint, name)
		return Secret{}
	}
	name, key := d.env(p, panelName, "API_KEY", k.keyHint)
	if problem := keyProblem(k, key); key != "" && problem != "" {
		d.fail(p.value, "environment variable %s (api_key_env) %s", name, problem)
	}
	return Secret{key: key, from: []string{name}}
}

// shardlynAuth reads a token, or an email and password, never a mix.
func (d *decoder) shardlynAuth(m *mapping, panelName string) Secret {
	tok, email, pass := m.get("token_env"), m.get("email_env"), m.get("password_env")
	switch {
	case tok.value != nil && (email.value != nil || pass.value != nil):
		d.fail(tok.key, "set either token_env (recommended) or email_env and password_env, not both")
	case tok.value != nil:
		return d.shardlynToken(tok, panelName)
	case email.value != nil && pass.value != nil:
		return d.shardlynLogin(email, pass, panelName)
	case email.value != nil || pass.value != nil:
		d.fail(m.node, "email_env and password_env go together: set both, or use token_env with an API token instead (recommended)")
	default:
		d.fail(m.node, "a shardlyn panel needs token_env: the name of the environment variable holding a Shardlyn API token "+
			"(shardlyn_api_…, Settings > API Tokens), e.g. token_env: %s; or email_env and password_env", envSuggestion(panelName, "TOKEN"))
	}
	return Secret{}
}

func (d *decoder) shardlynToken(p pair, panelName string) Secret {
	name, tok := d.env(p, panelName, "TOKEN", "a Shardlyn API token (shardlyn_api_…, Settings > API Tokens)")
	switch {
	case tok == "":
	case strings.ContainsAny(tok, " \t\r\n\"'"):
		d.fail(p.value, "environment variable %s (token_env) contains spaces or quotes: set the token alone", name)
	case !strings.HasPrefix(tok, shardlynTokenPrefix) || len(tok) == len(shardlynTokenPrefix):
		d.fail(p.value, "environment variable %s (token_env) does not hold a whole Shardlyn API token: it starts with %s; create one under Settings > API Tokens",
			name, shardlynTokenPrefix)
	}
	return Secret{key: tok, from: []string{name}}
}

func (d *decoder) shardlynLogin(email, pass pair, panelName string) Secret {
	eName, e := d.env(email, panelName, "EMAIL", "the Shardlyn account's login email")
	pName, pw := d.env(pass, panelName, "PASSWORD", "the Shardlyn account's password")
	if e != "" && (strings.Count(e, "@") != 1 || strings.ContainsAny(e, " \t\r\n\"'<>")) {
		d.fail(email.value, "environment variable %s (email_env) does not hold an email address: set it to the account's login email", eName)
	}
	return Secret{email: e, password: pw, from: []string{eName, pName}}
}

// keyProblem mirrors the clients' checks of a key's shape, so the mistake is
// reported with its line before any client is built. It never quotes the key.
func keyProblem(k kindInfo, key string) string {
	switch {
	case strings.ContainsAny(key, " \t\r\n\"'"):
		return "contains spaces or quotes: set the key alone, without quotes or \"Bearer\""
	case (k.name == KindPterodactyl || k.name == KindPelican) && applicationKey(key):
		return "holds " + strings.TrimPrefix(applicationKeyAdvice, "is ")
	}
	return ""
}

// applicationKeyAdvice is what to do about an application key, which the
// client API of both panels refuses whichever panel issued it.
const applicationKeyAdvice = "is an application (admin) key (ptla_…; Pelican: peli_… or papp_…), which the client API refuses: " +
	"create a client key under Account → API Credentials (ptlc_…; Pelican: pacc_…, or plcn_… on older releases)"

// applicationKey tells an application key by its prefix: Pterodactyl's
// ptla_, Pelican's peli_ (older releases) and papp_ (newer).
func applicationKey(key string) bool {
	for _, p := range []string{"ptla_", "peli_", "papp_"} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// envNameRE is what a variable name may look like in the file. Requiring
// capitals also catches a secret pasted where its name belongs, which must
// then not be repeated in the error.
var envNameRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,63}$`)

// env reads the variable that p names; hint says what it must hold. It
// returns the name and the trimmed value ("" after a failure).
func (d *decoder) env(p pair, panelName, suffix, hint string) (name, value string) {
	n := d.mark()
	name = d.text(p)
	if d.since(n) {
		return "", ""
	}
	if !envNameRE.MatchString(name) {
		s := envSuggestion(panelName, suffix)
		d.fail(p.value, "%s must be the NAME of an environment variable (capital letters, digits and _), not the secret itself: "+
			"put the secret in the environment or .env as %s=… and write %s: %s", p.key.Value, s, p.key.Value, s)
		return "", ""
	}
	value = strings.TrimSpace(d.getenv(name))
	if value == "" {
		d.fail(p.value, "environment variable %s (named by %s) is not set or empty: set it to %s, in the environment or the .env file",
			name, p.key.Value, hint)
	}
	return name, value
}
