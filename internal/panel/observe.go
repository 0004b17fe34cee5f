package panel

import (
	"context"
	"errors"
	"time"
)

// Observer hears every call a panel client made, for the bot's metrics:
// the panel's configured name, the operation (one of Ops), the outcome (one
// of Outcomes) and how long it took. Every value comes from the
// configuration or a fixed set, so labels stay bounded. It must not block.
type Observer interface {
	PanelRequest(panel, op, outcome string, d time.Duration)
}

// The operations an Observer hears about, one per Client method.
const (
	OpServers   = "servers"
	OpResources = "resources"
	OpPower     = "power"
	OpCommand   = "command"
)

// Ops lists every operation an Observer may be given.
func Ops() []string { return []string{OpServers, OpResources, OpPower, OpCommand} }

// OutcomeOK is the outcome of a call that succeeded.
const OutcomeOK = "ok"

// outcomes names each error kind for an Observer, in the order they are
// tested.
var outcomes = []struct {
	kind error
	name string
}{
	{ErrUnauthorized, "unauthorized"}, {ErrForbidden, "forbidden"}, {ErrNotFound, "not_found"},
	{ErrConflict, "conflict"}, {ErrInvalid, "invalid"}, {ErrRateLimited, "rate_limited"},
	{ErrOffline, "offline"}, {ErrUnavailable, "unavailable"}, {ErrUnsupported, "unsupported"},
	{ErrBadResponse, "bad_response"}, {ErrConfig, "config"},
	{context.DeadlineExceeded, "timeout"}, {context.Canceled, "canceled"},
}

// Outcomes lists every outcome an Observer may be given.
func Outcomes() []string {
	out := []string{OutcomeOK}
	for _, o := range outcomes {
		out = append(out, o.name)
	}
	return append(out, "error")
}

// Outcome names the result of a panel call: OutcomeOK, the error's kind,
// or "error" for anything else.
func Outcome(err error) string {
	if err == nil {
		return OutcomeOK
	}
	for _, o := range outcomes {
		if errors.Is(err, o.kind) {
			return o.name
		}
	}
	return "error"
}

// Observed wraps a Client so that an Observer hears each call. Wrap the
// client itself, under any cache, so that only calls that reach the panel
// are counted.
type Observed struct {
	Client
	name string
	obs  Observer
}

// Observe wraps c, the panel configured as name.
func Observe(c Client, name string, obs Observer) *Observed {
	return &Observed{Client: c, name: name, obs: obs}
}

// Unwrap returns the wrapped client, for optional interfaces such as
// SocketCredentialer.
func (o *Observed) Unwrap() Client { return o.Client }

func (o *Observed) done(op string, start time.Time, err error) {
	o.obs.PanelRequest(o.name, op, Outcome(err), time.Since(start))
}

// Servers lists the servers and reports the call.
func (o *Observed) Servers(ctx context.Context) ([]Server, error) {
	start := time.Now()
	s, err := o.Client.Servers(ctx)
	o.done(OpServers, start, err)
	return s, err
}

// Resources reads a server's state and reports the call.
func (o *Observed) Resources(ctx context.Context, id string) (Resources, error) {
	start := time.Now()
	r, err := o.Client.Resources(ctx, id)
	o.done(OpResources, start, err)
	return r, err
}

// Power sends a signal and reports the call.
func (o *Observed) Power(ctx context.Context, id string, s Signal) error {
	start := time.Now()
	err := o.Client.Power(ctx, id, s)
	o.done(OpPower, start, err)
	return err
}

// Command sends a console command and reports the call.
func (o *Observed) Command(ctx context.Context, id, command string) error {
	start := time.Now()
	err := o.Client.Command(ctx, id, command)
	o.done(OpCommand, start, err)
	return err
}
