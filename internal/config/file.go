package config

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/acl"
)

// maxFileSize bounds what LoadFile reads: a file of a few dozen panels is a
// few kilobytes, and anything near this is not a configuration file.
const maxFileSize = 1 << 20

// The panel kinds a file may declare.
const (
	KindPterodactyl = "pterodactyl"
	KindPelican     = "pelican"
	KindZampto      = "zampto"
	KindServerPrism = "serverprism"
	KindShardlyn    = "shardlyn"
)

// File is the multi-panel configuration that CONFIG_FILE names. It lets one
// bot serve several panels, of several kinds, at once, which the
// environment variables (one panel) cannot express.
//
// The schema (testdata/example.yaml is a complete, commented example):
//
//	panels:                          # required, at least one
//	  - name: main                   # required: 1-32 letters, digits, - and _; unique,
//	                                 # ignoring case; users may type main/<server>
//	    kind: pterodactyl            # required: pterodactyl | pelican | zampto | serverprism | shardlyn
//	    url: https://panel.example.com  # required for pterodactyl and pelican; the
//	                                 # others default to their documented API address
//	    api_key_env: MAIN_PANEL_KEY  # the NAME of the environment variable (or .env
//	                                 # line) holding the key, in capitals: pterodactyl,
//	                                 # pelican (ptlc_…), zampto, serverprism. Never the key.
//	    # shardlyn instead: token_env: NAME (an API token, shardlyn_api_…)
//	    #               or: email_env: NAME and password_env: NAME
//	    rate_limit: 240              # optional: requests the bot allows itself per
//	                                 # minute, but per 10 seconds on zampto (each host's
//	                                 # documented window); reads on serverprism
//	    write_rate_limit: 20         # optional, serverprism only: writes per minute
//	    servers:                     # optional; servers not listed still work by name or id
//	      - id: 1a7ce997             # required: the server's id on the panel: the 8-character
//	                                 # identifier (pterodactyl, pelican), the number
//	                                 # (zampto, serverprism), the instance id (shardlyn)
//	        alias: survival          # optional extra name, unique in the panel, no '/';
//	                                 # another panel may reuse it: users then type main/survival
//	        roles:                   # optional: replace the global ACL_* tiers here;
//	          viewer: ["112233445566778899"]  # a missing or empty list inherits the
//	          operator: []                    # global one; a "1,2" string works too
//	          admin: ["112233445566778899"]
//	          admin_users: ["998877665544332211"]
//	        relay:                   # optional: mirror this server's console into a
//	          channel: "112233445566778899"   # Discord channel (pterodactyl, pelican,
//	          commands: false                 # shardlyn); commands: true lets admins type
//	                                          # console commands there (not shardlyn)
//	        alerts:                  # optional, also on a panel: this server's alert
//	          channel: "112233445566778899"   # channel and thresholds (percent), over
//	          memory_percent: 80              # ALERT_*; cpu_percent, disk_percent too
//	        warn_command: "say Restart in {in}"  # optional, also on a panel: the console
//	                                 # line of a /schedule countdown ({action}, {in})
//
// Several relays may share a channel; one server may not be listed twice.
// Anchors and aliases (&a, *a) and several documents are refused.
type File struct {
	Path   string // as given to LoadFile, for error messages
	Panels []Panel
}

// Panel is one panel account the bot drives.
type Panel struct {
	Name   string
	Kind   string // one of the Kind constants
	URL    string // no trailing slash; "" means the client's documented default
	Secret Secret
	// RateLimit is the number of requests allowed per RatePer (0: the
	// client's default). RatePer is the window the kind's host documents.
	RateLimit int
	RatePer   time.Duration
	// WriteRateLimit is ServerPrism's separate write budget per RatePer.
	WriteRateLimit int
	// Alerts are the panel's own alert settings; nil: the global ones.
	Alerts *Alerts
	// WarnCommand is the countdown template of scheduled actions on its
	// servers; "" for the default.
	WarnCommand string
	Servers     []Server
	Line        int // where the panel starts in the file
}

// Server is what the file says about one server of a panel.
type Server struct {
	ID    string
	Alias string     // "" when none
	ACL   *acl.Rules // nil when the global rules apply
	Relay *Relay     // nil when the console is not relayed
	// Alerts are the server's own alert settings; nil: its panel's.
	Alerts *Alerts
	// Query is how to ask the game for its players; nil: the panel's
	// address, with the protocol guessed.
	Query *Query
	// WarnCommand replaces its panel's; "" for the panel's.
	WarnCommand string
	Line        int
}

// Relay mirrors one server's console into a Discord channel.
type Relay struct {
	ChannelID string
	Commands  bool // admins may type console commands in the channel
	Line      int
}

// TargetKey is the key acl.Policy.Override and panel.Target.Key use for s.
func (p Panel) TargetKey(s Server) string { return p.Name + "/" + s.ID }

// Aliases maps each alias to its server ID, as panel.Registry.Add takes them.
func (p Panel) Aliases() map[string]string {
	m := make(map[string]string)
	for _, s := range p.Servers {
		if s.Alias != "" {
			m[s.Alias] = s.ID
		}
	}
	return m
}

// Secrets lists every credential the file resolved, so the logger can scrub
// them should one slip into a library's error.
func (f *File) Secrets() []string {
	var out []string
	for _, p := range f.Panels {
		out = append(out, p.Secret.values()...)
	}
	return out
}

// ErrorAt reports a problem found later (say, a panel client refusing its
// options) at a line of this file, so the owner still learns where to look.
func (f *File) ErrorAt(line int, problem string) *FileError {
	return &FileError{Path: f.Path, Line: line, Problem: problem}
}

// Secret holds a panel's resolved credentials. Its fields are unexported and
// every way of printing it (fmt, %#v, slog, JSON) shows only where the values
// came from, so a config dumped by mistake leaks nothing.
type Secret struct {
	key      string // API key or token
	email    string
	password string
	from     []string // the environment variables read
}

// Key is the API key or token; "" when the panel logs in with a password.
func (s Secret) Key() string { return s.key }

// Login is the Shardlyn account's email and password; both "" with a token.
func (s Secret) Login() (email, password string) { return s.email, s.password }

// String names the variables the secret came from, never the values.
func (s Secret) String() string {
	if len(s.from) == 0 {
		return "(no secret)"
	}
	return "(hidden, from $" + strings.Join(s.from, " and $") + ")"
}

// GoString keeps %#v as discreet as %v.
func (s Secret) GoString() string { return "config.Secret" + s.String() }

// LogValue keeps slog from printing the values.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps encoders (JSON, YAML) from printing the values.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s Secret) values() []string {
	var out []string
	for _, v := range []string{s.key, s.email, s.password} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// FileError is a mistake in the configuration file: where it is and what to
// write instead. It never repeats a secret.
type FileError struct {
	Path    string
	Line    int // 0 when the problem is the whole file
	Problem string
}

// Error reads like a compiler's: "bot.yaml:12: problem".
func (e *FileError) Error() string {
	if e.Line > 0 {
		return e.Path + ":" + strconv.Itoa(e.Line) + ": " + e.Problem
	}
	return e.Path + ": " + e.Problem
}

// Is makes errors.Is(err, ErrConfig) true, so main exits with status 2.
func (e *FileError) Is(target error) bool { return target == ErrConfig }

// LoadFile reads and validates the configuration file at path, resolving the
// credentials it names through getenv. It reports every mistake it finds,
// joined (errors.Join) when there are several.
func LoadFile(path string, getenv Getenv) (*File, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return ParseFile(path, data, getenv)
}

// ParseFile is LoadFile on bytes already read; path only names them in
// errors. Tests and fuzzing use it directly.
func ParseFile(path string, data []byte, getenv Getenv) (*File, error) {
	root, ferr := parseYAML(path, data)
	if ferr != nil {
		return nil, ferr
	}
	d := &decoder{path: path, getenv: getenv}
	f := d.file(root)
	if err := joinErrors(d.errs); err != nil {
		return nil, err
	}
	f.Path = path
	return f, nil
}

func readFile(path string) ([]byte, error) {
	fail := func(problem string) ([]byte, error) {
		return nil, &FileError{Path: path, Problem: problem}
	}
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fail("no such file: fix " + EnvConfigFile + ", or unset it to configure a single panel with PANEL_URL and PANEL_API_KEY")
	}
	if err != nil {
		return fail("cannot open it (" + readProblem(err) + "): check the path and its permissions")
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	switch {
	case err != nil:
		return fail("cannot read it (" + readProblem(err) + "): " + EnvConfigFile + " must name the YAML file itself")
	case len(data) > maxFileSize:
		return fail("is larger than 1 MiB, which is not a configuration file: check " + EnvConfigFile)
	}
	return data, nil
}

// readProblem drops the path that *PathError repeats.
func readProblem(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
