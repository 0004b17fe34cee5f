// Package panel is the bot's domain: game servers rented on hosting panels, the
// power signals they take, what they report about themselves, and the errors a
// panel can answer with.
//
// Each panel kind lives in a subpackage (pterodactyl, zampto, …) that
// implements Client. Nothing in this package imports a panel kind, so the
// commands and the console relay depend on the domain only.
package panel

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// State is the power state of a server as the panel reports it.
type State string

// The states a panel reports. StateUnknown stands for anything a panel answers
// that the bot does not recognise; it is shown, never acted upon.
const (
	StateOffline  State = "offline"
	StateStarting State = "starting"
	StateRunning  State = "running"
	StateStopping State = "stopping"
	StateUnknown  State = "unknown"
)

// ParseState maps a panel's state string onto State, case-insensitively.
// Anything unrecognised becomes StateUnknown rather than an error, because a
// panel that invents a new state must not break /status.
func ParseState(s string) State {
	switch st := State(strings.ToLower(strings.TrimSpace(s))); st {
	case StateOffline, StateStarting, StateRunning, StateStopping:
		return st
	default:
		return StateUnknown
	}
}

// Signal is a power action sent to a server.
type Signal string

// The four power signals every panel kind understands.
const (
	SignalStart   Signal = "start"
	SignalStop    Signal = "stop"
	SignalRestart Signal = "restart"
	SignalKill    Signal = "kill"
)

// Signals lists the power signals in the order the bot shows them.
func Signals() []Signal {
	return []Signal{SignalStart, SignalRestart, SignalStop, SignalKill}
}

// ParseSignal validates a signal coming from outside (a slash-command option
// or a button's custom ID).
func ParseSignal(s string) (Signal, error) {
	switch sig := Signal(s); sig {
	case SignalStart, SignalStop, SignalRestart, SignalKill:
		return sig, nil
	default:
		return "", fmt.Errorf("unknown power signal %q: use start, stop, restart or kill", s)
	}
}

// Limits are the resource limits a server was sold with. Zero means
// unlimited (or not reported by the panel).
type Limits struct {
	MemoryMB   int64
	DiskMB     int64
	CPUPercent int64 // 100 is one full core
}

// Server is one game server as a panel lists it.
type Server struct {
	// ID is what the panel's API addresses the server by: Pterodactyl's
	// 8-character identifier, zampto's number, Shardlyn's instance id.
	ID          string
	UUID        string
	Name        string
	Description string
	Node        string
	Limits      Limits
	Suspended   bool
	// Status is the panel's word for a server that is not in a usable
	// condition ("installing", "transferring", …); empty when healthy.
	Status string
	// State is set when the list itself carries the power state (zampto);
	// empty otherwise.
	State State
	// Address is where players connect (host:port), from the panel's
	// default allocation, when the panel says it; empty otherwise.
	Address string
}

// Resources is a server's live state and usage.
type Resources struct {
	State     State
	Suspended bool
	// Live is false when the panel knows the state but not the figures
	// (zampto has no live stats; ServerPrism may answer null). The figures
	// are then zero and must be shown as unavailable, not as zero.
	Live             bool
	Uptime           time.Duration
	CPUPercent       float64 // 100 is one full core
	MemoryBytes      int64
	MemoryLimitBytes int64 // 0 when unlimited or unknown
	DiskBytes        int64
	DiskLimitBytes   int64 // 0 when unlimited or unknown
	NetworkRxBytes   int64
	NetworkTxBytes   int64
}

// Feature is something a panel kind may or may not be able to do.
type Feature uint

// Features a panel kind can declare. Listing and power signals are universal
// and so are not features.
const (
	// FeatureResources: live state and usage figures.
	FeatureResources Feature = 1 << iota
	// FeatureCommand: sending a console command.
	FeatureCommand
	// FeatureConsole: streaming the live console.
	FeatureConsole
)

// Features is a set of Feature.
type Features Feature

// Has reports whether every feature in f is in the set.
func (s Features) Has(f Feature) bool { return Feature(s)&f == f }

// String names a feature for messages and logs.
func (f Feature) String() string {
	switch f {
	case FeatureResources:
		return "live status"
	case FeatureCommand:
		return "console commands"
	case FeatureConsole:
		return "the live console"
	default:
		return fmt.Sprintf("feature(%d)", uint(f))
	}
}

// Client is what the bot needs from one panel account. Every method takes a
// context and must return promptly when it is cancelled. Errors are *Error
// (or wrap one) so that callers can test them with errors.Is against the
// sentinels in this package.
type Client interface {
	// Kind names the panel kind ("pterodactyl", "zampto", …).
	Kind() string
	// Features tells what this panel can do beyond listing and power.
	Features() Features
	// Servers lists every server the credentials can see.
	Servers(ctx context.Context) ([]Server, error)
	// Resources reports a server's live state; ErrUnsupported without
	// FeatureResources.
	Resources(ctx context.Context, id string) (Resources, error)
	// Power sends a power signal. Success means the panel accepted it, not
	// that the server has reached the new state. Never retried.
	Power(ctx context.Context, id string, s Signal) error
	// Command sends one console command; ErrUnsupported without
	// FeatureCommand. Never retried.
	Command(ctx context.Context, id, command string) error
}

// SocketCredentials let the console relay open a server's live console
// websocket (Wings for Pterodactyl and Pelican).
type SocketCredentials struct {
	URL   string // wss://node.example:8080/api/servers/<uuid>/ws
	Token string // a JWT; a secret: never log it
	// Expires is read from the token when it can be; zero when unknown.
	Expires time.Time
}

// String hides the token, so credentials printed by mistake leak nothing.
func (c SocketCredentials) String() string {
	return fmt.Sprintf("socket %s (token hidden, expires %s)", c.URL, c.Expires.Format(time.RFC3339))
}

// SocketCredentialer is implemented by panels whose nodes stream the console
// over the Wings websocket protocol.
type SocketCredentialer interface {
	SocketCredentials(ctx context.Context, id string) (SocketCredentials, error)
}

// Refresher is implemented by clients that cache figures (Coalesced):
// Refresh asks the panel anew and caches the answer for everyone else.
type Refresher interface {
	Refresh(ctx context.Context, id string) (Resources, error)
}
