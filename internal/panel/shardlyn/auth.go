package shardlyn

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"github.com/panelbot/panelbot/internal/panel"
)

// APITokenPrefix starts every Shardlyn API token. A value without it is not
// an API token (often it is a 15-minute login JWT pasted by mistake), and
// saying so at start-up beats a 401 at the first command.
const APITokenPrefix = "shardlyn_api_"

// Auth is how the bot proves itself to Shardlyn: an API token, or an
// account's email and password (the client then logs in and keeps its
// 15-minute access token fresh). Build it with APIToken or Password; its
// String hides the secrets, so printing a config by mistake leaks nothing.
type Auth struct {
	token    string
	email    string
	password string
}

// APIToken authenticates with a token created under Settings > API Tokens.
// It is the recommended form: it needs no login and survives MFA.
func APIToken(token string) Auth { return Auth{token: strings.TrimSpace(token)} }

// Password authenticates as an account. Accounts with MFA cannot be used
// this way; New accepts them, and the first login says so.
func Password(email, password string) Auth {
	return Auth{email: strings.TrimSpace(email), password: password}
}

// String names the form of authentication without any secret.
func (a Auth) String() string {
	switch {
	case a.token != "":
		return "shardlyn API token (hidden)"
	case a.email != "":
		return "shardlyn account " + a.email + " (password hidden)"
	default:
		return "shardlyn auth (unset)"
	}
}

// usesPassword reports whether access tokens must be obtained by logging in
// (and so can be renewed after a 401).
func (a Auth) usesPassword() bool { return a.token == "" }

// validate checks the form of the credentials, never their value against
// the panel; every message says what to put in the config instead.
func (a Auth) validate() error {
	switch {
	case a.token == "" && a.email == "" && a.password == "":
		return configError("Set either a Shardlyn API token (shardlyn_api_…) or the account's email and password.")
	case a.token != "" && (a.email != "" || a.password != ""):
		return configError("Set either a Shardlyn API token or an email and password, not both.")
	case a.token != "":
		return validateToken(a.token)
	}
	return validateLogin(a.email, a.password)
}

func validateToken(tok string) error {
	if strings.IndexFunc(tok, unicode.IsSpace) >= 0 || strings.IndexFunc(tok, unicode.IsControl) >= 0 {
		return configError("The Shardlyn API token contains spaces or line breaks; paste it again without them.")
	}
	if !strings.HasPrefix(tok, APITokenPrefix) {
		hint := ""
		if strings.HasPrefix(tok, "eyJ") {
			hint = " The value looks like a login access token, which expires after 15 minutes."
		}
		return configError("The Shardlyn API token must start with shardlyn_api_." + hint +
			" Create one in Shardlyn under Settings > API Tokens and set it in the bot's config.")
	}
	if len(tok) == len(APITokenPrefix) {
		return configError("The Shardlyn API token is only its prefix; paste the whole token shown when it was created.")
	}
	return nil
}

func validateLogin(email, password string) error {
	if email == "" || password == "" {
		return configError("Set both the Shardlyn account's email and its password (or an API token instead).")
	}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		return configError("The Shardlyn email does not look like an email address; set the account's login email.")
	}
	return nil
}

// configError is a misconfiguration the owner must fix; the sentence goes
// both to the user (Message) and to the log (Detail).
func configError(msg string) *panel.Error {
	return &panel.Error{Class: panel.ErrConfig, Op: "configure shardlyn", Detail: msg, Message: msg}
}

// mfaError answers a login that asks for a TOTP code: a bot cannot type one.
func mfaError() *panel.Error {
	msg := "This Shardlyn account requires MFA, which a bot cannot answer. Create an API token " +
		"(shardlyn_api_…) under Settings > API Tokens and set it instead of the email and password."
	return &panel.Error{Class: panel.ErrConfig, Op: "log in", Detail: "login answered mfa_required", Message: msg}
}

// loginRefused words the failures of the login itself, which are the
// owner's to fix rather than the user's.
func loginRefused(e *panel.Error) *panel.Error {
	switch e.Class {
	case panel.ErrUnauthorized, panel.ErrInvalid:
		e.Class = panel.ErrUnauthorized
		e.Message = fmt.Sprintf("Shardlyn refused the email or password in the bot's config. Fix them and "+
			"restart the bot; until then it does not try again for %d minutes, so the account is not locked.",
			int(loginCooldown.Minutes()))
	case panel.ErrRateLimited:
		e.Message = "Shardlyn is refusing logins for the bot's account for now (too many attempts, or a " +
			"lock after failed passwords). Check the password in the config, then try again later."
	}
	return e
}
