package config

import (
	"fmt"
	"slices"
	"strings"
)

// scope is where in the file a mapping sits, so that advice about its keys
// can name the panel's kind and suggest variable names built from its name.
type scope struct {
	level string   // "the file", "a panel", "a server", "roles:", "relay:"
	keys  []string // the keys allowed here
	kind  kindInfo // zero outside a panel or when the kind is unknown
	panel string   // the panel's name, "" when unknown
}

// checkKeys refuses, in file order, every key that does not belong: a secret
// written inline first of all, then keys that belong elsewhere, then typos.
func (d *decoder) checkKeys(m *mapping, sc scope) {
	for _, p := range m.pairs {
		key := p.key.Value
		if slices.Contains(sc.keys, key) {
			continue
		}
		d.fail(p.key, "%s", keyAdvice(key, sc))
		return
	}
}

func keyAdvice(key string, sc scope) string {
	if advice := inlineSecretAdvice(key, sc); advice != "" {
		return advice
	}
	if advice := misplacedAdvice(key, sc); advice != "" {
		return advice
	}
	if best := closest(key, sc.keys); best != "" {
		return fmt.Sprintf("unknown key %s: did you mean %q?", quoted(key), best)
	}
	return fmt.Sprintf("unknown key %s in %s: use %s", quoted(key), sc.level, strings.Join(sc.keys, ", "))
}

// inlineSecretAdvice answers a credential written into the file itself:
// files get committed, pasted and shared, the environment less so.
func inlineSecretAdvice(key string, sc scope) string {
	// Only Shardlyn (or a panel whose kind is not known yet) logs in.
	login := sc.kind.login || sc.kind.name == ""
	envKey, suffix := "api_key_env", "API_KEY"
	if sc.kind.login {
		envKey, suffix = "token_env", "TOKEN"
	}
	switch strings.ToLower(key) {
	case "api_key", "apikey", "api-key", "key", "token", "api_token", "access_token", "secret", "client_key":
	case "password", "pass", "passwd":
		if login {
			envKey, suffix = "password_env", "PASSWORD"
		}
	case "email":
		if !login {
			return ""
		}
		name := envSuggestion(sc.panel, "EMAIL")
		return fmt.Sprintf("email: the login is read from the environment too: write email_env: %s and set %s in the environment (or .env)", name, name)
	default:
		return ""
	}
	name := envSuggestion(sc.panel, suffix)
	return fmt.Sprintf("%s: do not put secrets in the file: write %s: %s and set %s in the environment (or .env)", key, envKey, name, name)
}

// misplacedAdvice answers a key of the schema used at the wrong level or
// for the wrong kind of panel.
func misplacedAdvice(key string, sc scope) string {
	switch {
	case sc.level == "a server" && key == "name":
		return "a server has no name: key: write id: with the panel's identifier, and alias: for an extra name users may type"
	case sc.level == "a panel" && sc.kind.name != "" && home(key) == "a panel (an entry under panels:)":
		return kindKeyAdvice(key, sc.kind)
	case home(key) != "":
		return fmt.Sprintf("%s belongs in %s, not in %s: check the indentation", key, home(key), sc.level)
	}
	return ""
}

// home says where a key of the schema goes.
func home(key string) string {
	switch key {
	case "panels":
		return "the top of the file"
	case "name", "kind", "url", "api_key_env", "token_env", "email_env", "password_env", "rate_limit", "write_rate_limit", "servers":
		return "a panel (an entry under panels:)"
	case "id", "alias", "roles", "relay":
		return "a server (an entry under servers:)"
	case "viewer", "operator", "admin", "admin_users":
		return "roles: of a server"
	case "channel", "commands":
		return "relay: of a server"
	}
	return ""
}

// kindKeyAdvice answers a panel key that another kind of panel takes.
func kindKeyAdvice(key string, k kindInfo) string {
	switch {
	case key == "write_rate_limit":
		return "write_rate_limit applies to serverprism panels only: remove it, rate_limit is the " + k.name + " budget"
	case k.login:
		return k.name + " panels take token_env (an API token) or email_env and password_env, not " + key
	default:
		return k.name + " panels take api_key_env, not " + key
	}
}

// envSuggestion proposes a variable name from the panel's name, so the
// advice can be copied as is.
func envSuggestion(panel, suffix string) string {
	p := strings.ToUpper(strings.ReplaceAll(panel, "-", "_"))
	if p == "" || !validPanelName(panel) {
		p = "PANEL"
	}
	return p + "_" + suffix
}

// closest returns the allowed key a typo most likely meant, or "". Keys are
// also compared by their beginnings, so "api_kye" finds "api_key_env".
func closest(key string, allowed []string) string {
	key = strings.ToLower(key)
	best, bestScore := "", 3
	for _, cand := range allowed {
		score := distance(key, cand)
		if len(cand) > len(key) && len(key) >= 3 {
			score = min(score, distance(key, cand[:len(key)]))
		}
		if len(key) > len(cand) && len(cand) >= 4 {
			score = min(score, distance(key[:len(cand)], cand))
		}
		limit := 2
		if len(key) <= 4 {
			limit = 1
		}
		if score <= limit && score < bestScore {
			best, bestScore = cand, score
		}
	}
	return best
}

// distance is the optimal-string-alignment edit distance: insertions,
// deletions, substitutions and swaps of neighbours each cost one. Keys are
// short, so the quadratic table is cheap; long keys are cut to bound it.
func distance(a, b string) int {
	const maxLen = 64
	a, b = a[:min(len(a), maxLen)], b[:min(len(b), maxLen)]
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
