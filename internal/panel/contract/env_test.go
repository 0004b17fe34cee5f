// Package contract holds the one contract every panel client must keep: the
// same table of cases runs against each panel kind's simulator, so the
// clients cannot drift apart. Each kind is described by an adapter (kind)
// that starts its simulator with the standard fleet and knows how to make
// it misbehave; the cases see only the env it returns.
package contract

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

// The standard fleet every simulator starts with: one running server and
// one offline server, under these names.
const (
	runningName = "Survival"
	offlineName = "Creative"
)

// stdTimeout is the timeout of the clients the cases use: short enough that
// a bug shows quickly, long enough for a loaded -race run on 2 cores.
const stdTimeout = 2 * time.Second

// commandRule is what a panel kind does with a console command sent to an
// offline server.
type commandRule int

const (
	// offlineReported: the panel refuses it and the client says ErrOffline.
	offlineReported commandRule = iota
	// offlineDropped: the panel answers success and drops the command
	// (Pelican's 204), so the bot cannot know; the client reports success.
	offlineDropped
	// noCommands: the kind has no FeatureCommand.
	noCommands
)

// kind is the adapter of one panel kind.
type kind struct {
	name  string
	start func(t *testing.T, log *errLog) *env
}

// env is one simulator with the standard fleet and a client against it.
type env struct {
	client   panel.Client // good credentials, stdTimeout, errors recorded
	running  string       // id of the running server
	offline  string       // id of the offline server
	unknown  string       // an id of the panel's shape that does not exist
	log      *errLog
	secrets  []string // credentials no error may show
	credWord string   // what the wrong-credentials message must name
	// credKinds are the kinds wrong credentials may be reported as (the
	// adapter states the rule from the panel's document).
	credKinds      []error
	offlineCommand commandRule

	// newClient builds a client with good credentials for baseURL.
	newClient func(t *testing.T, baseURL string, timeout time.Duration) panel.Client
	// wrongClient builds a client whose credentials the panel refuses.
	wrongClient func(t *testing.T) panel.Client
	// setDown takes the whole panel down (true) or up again (false).
	setDown func(down bool)
	// failNext makes the next request the panel receives fail with status
	// (at least the next power or command request: caseSentOnce checks
	// that the write is not sent again).
	failNext func(t *testing.T, status int)
	// throttleNextGET makes the panel answer the client's next GET with a
	// 429 (with Retry-After where the panel sends one).
	throttleNextGET func(t *testing.T)
	// throttleGETs makes the panel answer the next n GETs with a 429, in
	// the panel's own shape (with the Retry-After its simulator sends).
	throttleGETs func(t *testing.T, n int)
	// throttled counts the 429s the panel answered to the client.
	throttled func() int
	// sent counts the POSTs of action ("power" or "command") for id.
	sent func(id, action string) int
	// total counts every request the panel received.
	total func() int
	// state is the simulator's own view of a server's power state.
	state func(id string) panel.State
	// advance moves the simulator past any power transition in progress.
	advance func()
	// bound is the longest a call may take when every attempt times out.
	bound func(timeout time.Duration) time.Duration
}

// record wraps c so that every error it returns is kept for the secrets
// check, with the credentials that error must not show.
func (e *env) record(c panel.Client) panel.Client {
	return &recorder{Client: c, note: e.note}
}

// note keeps an error met outside the recorded methods; nil is no error.
func (e *env) note(err error) {
	if err != nil {
		e.log.add(err, e.secrets)
	}
}

// recorder is a panel.Client that notes every error of the wrapped one.
type recorder struct {
	panel.Client
	note func(error)
}

func (r *recorder) Unwrap() panel.Client { return r.Client }

func (r *recorder) Servers(ctx context.Context) ([]panel.Server, error) {
	s, err := r.Client.Servers(ctx)
	r.note(err)
	return s, err
}

func (r *recorder) Resources(ctx context.Context, id string) (panel.Resources, error) {
	res, err := r.Client.Resources(ctx, id)
	r.note(err)
	return res, err
}

func (r *recorder) Power(ctx context.Context, id string, s panel.Signal) error {
	err := r.Client.Power(ctx, id, s)
	r.note(err)
	return err
}

func (r *recorder) Command(ctx context.Context, id, command string) error {
	err := r.Client.Command(ctx, id, command)
	r.note(err)
	return err
}

// errLog collects every error one kind's cases met, for the secrets check
// that runs when they have all finished.
type errLog struct {
	mu   sync.Mutex
	seen []seenErr
	ran  int // cases started, to tell a filtered run (-run) from a full one
}

type seenErr struct {
	err     error
	secrets []string
}

// started counts a case.
func (l *errLog) started() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ran++
}

func (l *errLog) add(err error, secrets []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, seenErr{err: err, secrets: secrets})
}

// check fails when an error string or user message shows a credential or
// anything shaped like a JWT ("eyJ…", what login and websocket tokens
// start with).
func (l *errLog) check(t *testing.T, allCases int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ran == allCases {
		// The full table provokes well over this many errors; fewer means
		// the log is not being fed and the check would prove nothing.
		assert.GreaterOrEqual(t, len(l.seen), 15, "errors collected for the secrets check")
	}
	for _, s := range l.seen {
		for _, text := range []string{s.err.Error(), panel.UserMessage(s.err)} {
			assert.NotContains(t, text, "eyJ", "a token-shaped string in %q", text)
			for _, secret := range s.secrets {
				if !assert.NotContains(t, text, secret, "a credential leaks") {
					return
				}
			}
		}
	}
}

// ctxT is a context that bounds a case, so a hanging client fails the test
// instead of the run.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// requireKind checks err is one of kinds and returns its *panel.Error.
func requireKind(t *testing.T, err error, kinds ...error) *panel.Error {
	t.Helper()
	require.Error(t, err)
	matched := false
	for _, k := range kinds {
		matched = matched || errors.Is(err, k)
	}
	require.True(t, matched, "want one of %v, got %v", kinds, err)
	var pe *panel.Error
	require.ErrorAs(t, err, &pe, "panel clients return *panel.Error")
	return pe
}

// genericMessage is UserMessage's last resort, which tells the user nothing
// to do: a classified error never gets it.
const genericMessage = "Something went wrong talking to the panel. The bot's log has the details."

func requireUsefulMessage(t *testing.T, err error, mustName string) {
	t.Helper()
	msg := panel.UserMessage(err)
	require.NotEmpty(t, msg)
	assert.NotEqual(t, genericMessage, msg)
	if mustName != "" {
		assert.Contains(t, strings.ToLower(msg), strings.ToLower(mustName), "user message %q", msg)
	}
}
