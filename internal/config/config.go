// Package config reads the bot's settings from the environment (and a .env
// file) into one validated value. Every mistake becomes an *Error naming the
// variable and what to write instead, and no error ever repeats a secret.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/panelbot/panelbot/internal/acl"
)

// DefaultDiscordAPI is Discord's REST base when DISCORD_API_URL is unset.
const DefaultDiscordAPI = "https://discord.com/api/v10"

// Config is everything the bot needs to start.
type Config struct {
	DiscordToken  string
	GuildID       string // empty: register commands globally
	DiscordAPIURL string

	PanelKind   string // one of the Kind constants
	PanelURL    string // "": the kind's documented address
	PanelAPIKey string // the key or token; "" for a Shardlyn login
	// PanelEmail and PanelPassword are a Shardlyn account's login, in place
	// of PanelAPIKey.
	PanelEmail    string
	PanelPassword string
	// PanelRateLimit is the requests the bot allows itself per the kind's
	// documented window (a minute; 10 seconds on zampto); 0: the default.
	PanelRateLimit int

	ACL            acl.Rules
	AuditChannelID string

	RelayChannelID string
	RelayServer    string
	RelayCommands  bool
	// RelayMemoryKB caps what one relay channel holds before the oldest
	// console lines are dropped (and the channel told).
	RelayMemoryKB int
	// DataDir is where the bot keeps files (DATA_DIR, default ./data): the
	// relay spills console lines past the memory cap under DataDir/relay.
	DataDir string
	// RelayDiskCapMB bounds one relay channel's spill file; past it the
	// oldest waiting lines are dropped (and the channel told).
	RelayDiskCapMB int

	LogLevel  slog.Level
	LogFormat string // "text" or "json"

	// MetricsAddr is where /healthz and /metrics listen (METRICS_ADDR,
	// host:port); "" leaves them off.
	MetricsAddr string

	// Watch is the dashboards' refresh and the alerts.
	Watch Watch

	// ScheduleTZ is the zone schedules are read in (SCHEDULE_TZ, an IANA
	// name; default UTC).
	ScheduleTZ *time.Location
}

// Secrets lists the values that must never reach a log line, so the logger
// can scrub them should one slip into an error from a library.
func (c Config) Secrets() []string {
	var out []string
	for _, v := range []string{c.DiscordToken, c.PanelAPIKey, c.PanelEmail, c.PanelPassword} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Error is a configuration mistake: which variable, and what to do.
type Error struct {
	Var     string
	Problem string
}

func (e *Error) Error() string { return e.Var + ": " + e.Problem }

// ErrConfig is matched by every *Error, so callers can pick the exit status.
var ErrConfig = errors.New("configuration error")

// Is makes errors.Is(err, ErrConfig) true for every configuration mistake.
func (e *Error) Is(target error) bool { return target == ErrConfig }

// Getenv reads one variable; "" means unset.
type Getenv func(string) string

// WithDotEnv returns a Getenv that falls back to the variables of the .env
// file at path when the environment does not set them (the environment wins,
// as godotenv.Load does, but without changing the process environment). A
// missing file is not an error; an unreadable or malformed one is, and its
// error names the line but never repeats the file's text, which holds the
// secrets.
func WithDotEnv(getenv Getenv, path string) (Getenv, error) {
	if path == "" {
		return getenv, nil
	}
	vars, err := readDotEnv(path)
	if errors.Is(err, os.ErrNotExist) {
		return getenv, nil
	}
	if err != nil {
		return nil, err
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return vars[k]
	}, nil
}

// Load reads and validates every variable of the single-panel setup. It
// reports every mistake, one *Error per variable, joined (errors.Join) when
// there are several, so the owner fixes them all in one round.
func Load(getenv Getenv) (Config, error) { return load(getenv, true) }

// load reads the variables; the PANEL_* and RELAY_* ones only for the
// single-panel setup, since a CONFIG_FILE declares its own.
func load(getenv Getenv, singlePanel bool) (Config, error) {
	l := loader{env: getenv}
	c := Config{
		DiscordToken:  l.token("DISCORD_TOKEN"),
		GuildID:       l.id("DISCORD_GUILD_ID"),
		DiscordAPIURL: l.url("DISCORD_API_URL", DefaultDiscordAPI),
		ACL: acl.Rules{
			ViewerRoles:   l.ids("ACL_VIEWER_ROLES"),
			OperatorRoles: l.ids("ACL_OPERATOR_ROLES"),
			AdminRoles:    l.ids("ACL_ADMIN_ROLES"),
			AdminUsers:    l.ids("ACL_ADMIN_USERS"),
		},
		AuditChannelID: l.id("AUDIT_CHANNEL_ID"),
		RelayMemoryKB:  l.intBetween("RELAY_MEMORY_CAP_KB", 512, MinRelayMemoryKB, 1<<20),
		DataDir:        l.path("DATA_DIR", "./data"),
		RelayDiskCapMB: l.intBetween("RELAY_DISK_CAP_MB", 64, 1, 1<<20),
		LogLevel:       l.level("LOG_LEVEL"),
		LogFormat:      l.oneOf("LOG_FORMAT", "text", "text", "json"),
		MetricsAddr:    l.listenAddr(EnvMetricsAddr),
		Watch:          l.watch(),
		ScheduleTZ:     l.location(EnvScheduleTZ),
	}
	if singlePanel {
		l.panel(&c)
	}
	if err := l.result(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// loader collects the errors so Load reads as a list of fields: one per
// variable, the first found, since a later check of a refused value (say,
// "required" after "wrapped in quotes") would only repeat it.
type loader struct {
	env    Getenv
	errs   []error
	failed map[string]bool
}

// get reads a variable without its surrounding blanks. A value wrapped in
// quotes is refused: docker's --env-file and systemd's Environment= keep
// them as part of the value, so "123" would never match anything.
func (l *loader) get(name string) string {
	v := strings.TrimSpace(l.env(name))
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		l.fail(name, "is wrapped in quotes: write the value without quotes (docker --env-file and systemd keep them as part of the value)")
		return ""
	}
	if misplaced(name, v) {
		l.fail(name, misplacedSecret(name))
		return ""
	}
	return v
}

func (l *loader) fail(name, problem string) {
	if l.failed[name] {
		return
	}
	if l.failed == nil {
		l.failed = make(map[string]bool)
	}
	l.failed[name] = true
	l.errs = append(l.errs, &Error{Var: name, Problem: problem})
}

// result is nil, the one *Error, or all of them joined, one per line.
func (l *loader) result() error { return joinErrors(l.errs) }

// joinErrors keeps a single error as it is, so callers and tests that
// expect one mistake see exactly it, and joins several one per line.
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

func (l *loader) token(name string) string {
	v := strings.TrimPrefix(l.get(name), "Bot ")
	switch {
	case v == "":
		l.fail(name, "required: set it to the bot token from the Discord developer portal (Bot → Reset Token)")
	case hasBlankOrQuote(v):
		l.fail(name, "contains spaces or quotes: paste the token alone, without quotes or the word Bot")
	case strings.Count(v, ".") != 2:
		l.fail(name, "does not look like a bot token (three parts separated by dots): copy it again from the developer portal")
	}
	return v
}

// hasBlankOrQuote catches a secret pasted with what surrounded it: inner
// blanks or line breaks (a wrapped paste), control characters, quotes.
func hasBlankOrQuote(v string) bool {
	return strings.ContainsAny(v, "\"'") || strings.IndexFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) >= 0
}

// url reads an http(s) base address; def "" makes it required. The advice
// shows an example of the right kind: the default when there is one.
func (l *loader) url(name, def string) string {
	v := strings.TrimRight(l.get(name), "/")
	example := def
	if example == "" {
		example = "https://panel.example.com"
	}
	if v == "" {
		if def == "" {
			l.fail(name, "required: the address of your panel, e.g. "+example)
		}
		return def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		l.fail(name, "must be an http(s) address such as "+example+", without credentials, query or fragment")
	}
	return v
}

func (l *loader) id(name string) string {
	v := l.get(name)
	if v == "" {
		return ""
	}
	if err := acl.ValidateID(v); err != nil {
		l.fail(name, err.Error())
	}
	return v
}

func (l *loader) ids(name string) []string {
	ids, err := acl.ParseIDs(l.get(name))
	if err != nil {
		l.fail(name, err.Error())
	}
	return ids
}

func (l *loader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(l.get(name))
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	l.fail(name, fmt.Sprintf("must be one of %s, not %s", strings.Join(allowed, ", "), quoted(v)))
	return def
}

func (l *loader) positiveInt(name string, def int) int {
	v := l.get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		l.fail(name, fmt.Sprintf("must be a whole number above zero, not %s", quoted(v)))
	}
	return n
}

// MinRelayMemoryKB is the smallest RELAY_MEMORY_CAP_KB: the console hub
// refuses less, and the loader says so before anything starts.
const MinRelayMemoryKB = 64

// intBetween reads a whole number between lo and hi, which are the bounds
// of what uses it, so that `bot check` and start-up refuse the same values.
func (l *loader) intBetween(name string, def, lo, hi int) int {
	if strings.TrimSpace(l.env(name)) == "" {
		return def
	}
	n := l.positiveInt(name, def)
	if !l.failed[name] && (n < lo || n > hi) {
		l.fail(name, fmt.Sprintf("must be a whole number between %d and %d, or unset for the default", lo, hi))
		return def
	}
	return n
}

// path reads a directory path. Whether it is writable is checked where it
// is used; here only what can never be a path is refused.
func (l *loader) path(name, def string) string {
	v := l.get(name)
	if v == "" {
		return def
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		l.fail(name, "must be a directory path, without control characters")
		return def
	}
	return v
}

func (l *loader) level(name string) slog.Level {
	switch v := strings.ToLower(l.get(name)); v {
	case "", "info":
		return slog.LevelInfo
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		l.fail(name, fmt.Sprintf("must be debug, info, warn or error, not %s", quoted(v)))
		return slog.LevelInfo
	}
}

// maxQuoted is the longest value an error repeats. Names, kinds and numbers
// are shorter; a longer value is more likely a secret pasted in the wrong
// place, so it is described by its length and not one character of it is
// repeated.
const maxQuoted = 24

// quoted is how every configuration error shows a value it refuses.
func quoted(v string) string {
	if looksSecret(v) {
		return "(a value shaped like a key or token, not repeated)"
	}
	if n := utf8.RuneCountInString(v); n > maxQuoted {
		return fmt.Sprintf("(a value of %d characters, not repeated)", n)
	}
	return strconv.Quote(v)
}
