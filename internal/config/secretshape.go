package config

import (
	"strings"
	"unicode"
)

// secretVars are the variables meant to hold a secret; any other that holds
// something key-shaped is refused without repeating it.
func secretVars() map[string]bool {
	return map[string]bool{"DISCORD_TOKEN": true, "PANEL_API_KEY": true, "PANEL_PASSWORD": true}
}

// keyPrefixes start the panels' keys and tokens: Pterodactyl's client and
// application keys, Pelican's (new and legacy), Shardlyn's API tokens, and
// the words pasted along with a token.
func keyPrefixes() []string {
	return []string{"ptlc_", "ptla_", "plcn_", "pacc_", "peli_", "papp_", shardlynTokenPrefix, "bot ", "bearer ", "eyj"}
}

// freeText are the variables whose values are names a user chose (a
// server's name may well be "SurvivalServer2024"): only a key's prefix or a
// bot token's shape marks a secret there. No error repeats their values.
func freeText() map[string]bool { return map[string]bool{"RELAY_SERVER": true} }

// misplaced tells whether the value of a variable not meant for secrets
// holds one.
func misplaced(name, v string) bool {
	if secretVars()[name] {
		return false
	}
	if freeText()[name] {
		return looksKey(v)
	}
	return looksSecret(v)
}

// looksKey tells whether v starts like a key or token, or is shaped like a
// Discord bot token (three dot-separated parts, the first with letters).
func looksKey(v string) bool {
	lower := strings.ToLower(strings.TrimSpace(v))
	for _, p := range keyPrefixes() {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	parts := strings.Split(v, ".")
	return len(parts) == 3 && len(v) >= 30 && hasLetter(parts[0]) && !strings.ContainsAny(v, "/:")
}

// looksSecret tells whether v is shaped like a key or token: looksKey, or
// a long run of letters and digits alone (mixed case from 16 characters,
// any case from 24). No address, path, ID, number, duration or word of the
// settings has that shape.
func looksSecret(v string) bool {
	// A list (ACL_*_ROLES) is as secret as its worst item.
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if f != v && looksSecret(f) {
			return true
		}
	}
	if looksKey(v) {
		return true
	}
	if strings.IndexFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' }) >= 0 {
		return false // a key has no dots, slashes, colons, dashes or blanks
	}
	hasDigit := strings.IndexFunc(v, unicode.IsDigit) >= 0
	mixedCase := strings.IndexFunc(v, unicode.IsUpper) >= 0 && strings.IndexFunc(v, unicode.IsLower) >= 0
	return hasDigit && hasLetter(v) && (len(v) >= 16 && mixedCase || len(v) >= 24)
}

func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

// misplacedSecret is the problem of a key-shaped value in a variable meant
// for something else: it says where secrets go and repeats none of it.
func misplacedSecret(name string) string {
	return "holds what looks like a key or token, which does not belong here (it is not repeated): " +
		"put the Discord bot token in DISCORD_TOKEN and the panel's key in PANEL_API_KEY (or the variable " +
		"CONFIG_FILE names for it), and set " + name + " as the README describes"
}
