package contract

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

// casePanelDown: a panel that is down is ErrUnavailable (or ErrBadResponse
// for an error page), the user is told to try again, the call ends within
// the client's bound, and the client works again once the panel is back.
func casePanelDown(t *testing.T, e *env) {
	ctx := ctxT(t)
	e.setDown(true)
	for name, call := range map[string]func() error{
		"list":  func() error { _, err := e.client.Servers(ctx); return err },
		"power": func() error { return e.client.Power(ctx, e.offline, panel.SignalStart) },
	} {
		began := time.Now()
		err := call()
		took := time.Since(began)
		requireKind(t, err, panel.ErrUnavailable, panel.ErrBadResponse)
		requireUsefulMessage(t, err, "try again")
		assert.LessOrEqual(t, took, e.bound(stdTimeout), name)
	}
	assert.LessOrEqual(t, e.sent(e.offline, "power"), 1, "a power signal is never sent twice")
	e.setDown(false)
	_, err := e.client.Servers(ctx)
	require.NoError(t, err, "the client recovers when the panel is back")
}

// casePanelHangs: a panel that accepts the connection and never answers
// costs a call no more than the client's timeout, retries included, and a
// power signal that timed out is not sent again: the panel may have acted
// on it.
func casePanelHangs(t *testing.T, e *env) {
	const timeout = 500 * time.Millisecond
	url, posts := hangingPanel(t)
	// A client per call, so that neither inherits the other's state (a
	// login in flight, a pause).
	for name, call := range map[string]func(c panel.Client) error{
		"list":  func(c panel.Client) error { _, err := c.Servers(ctxT(t)); return err },
		"power": func(c panel.Client) error { return c.Power(ctxT(t), e.offline, panel.SignalStart) },
	} {
		c := e.newClient(t, url, timeout)
		began := time.Now()
		err := call(c)
		took := time.Since(began)
		requireKind(t, err, panel.ErrUnavailable)
		requireUsefulMessage(t, err, "try again")
		assert.GreaterOrEqual(t, took, timeout/2, "%s: the client waited for the panel at all", name)
		// Scheduling slack for a loaded -race run, kept under one more
		// timeout so that a client that times out per attempt still fails.
		assert.LessOrEqual(t, took, e.bound(timeout)+timeout/2, name)
	}
	// At most: with a password, Shardlyn's login is what hangs, and the
	// power signal never leaves.
	assert.LessOrEqual(t, posts(e.offline), 1, "a power signal that timed out is not sent again")
}

// caseRateLimited: a 429 to a GET is waited out (the call then succeeds)
// or reported as ErrRateLimited with a RetryAfter; never ErrUnavailable.
func caseRateLimited(t *testing.T, e *env) {
	ctx := ctxT(t)
	_, err := e.client.Servers(ctx)
	require.NoError(t, err)
	e.throttleNextGET(t)
	servers, err := e.client.Servers(ctx)
	require.GreaterOrEqual(t, e.throttled(), 1, "the panel answered 429")
	if err == nil {
		assert.Len(t, servers, 2)
		return
	}
	assert.NotErrorIs(t, err, panel.ErrUnavailable)
	pe := requireKind(t, err, panel.ErrRateLimited)
	assert.Positive(t, pe.RetryAfter)
	requireUsefulMessage(t, err, "try again")
}

// caseCancelled: with a cancelled context every method returns at once
// with an error that is context.Canceled, and no power signal is sent. A
// method the kind does not support may answer ErrUnsupported instead: it
// does no I/O to cancel.
func caseCancelled(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, m := range methods(e, ctx, e.offline) {
		t.Run(m.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- m.call() }()
			select {
			case err := <-done:
				require.Error(t, err)
				if !m.supported {
					requireKind(t, err, panel.ErrUnsupported)
					return
				}
				assert.ErrorIs(t, err, context.Canceled, fmt.Sprintf("%v", err))
			case <-time.After(time.Second):
				t.Fatal("a call with a cancelled context did not return within 1 s")
			}
		})
	}
	assert.Zero(t, e.sent(e.offline, "power"), "no power signal leaves with a cancelled context")
	assert.Equal(t, panel.StateOffline, e.state(e.offline))
}

// method is one call of the client's, for cases that try them all.
type method struct {
	name      string
	call      func() error
	supported bool // false: the kind declares no feature for it
}

// methods are every method of e's client with ctx, SocketCredentials
// included where the kind has it; those that take a server take id.
func methods(e *env, ctx context.Context, id string) []method {
	f := e.client.Features()
	ms := []method{
		{"servers", func() error { _, err := e.client.Servers(ctx); return err }, true},
		{"resources", func() error { _, err := e.client.Resources(ctx, id); return err }, f.Has(panel.FeatureResources)},
		{"power", func() error { return e.client.Power(ctx, id, panel.SignalStart) }, true},
		{"command", func() error { return e.client.Command(ctx, id, "say hi") }, f.Has(panel.FeatureCommand)},
	}
	if sc, ok := panel.Unwrap(e.client).(panel.SocketCredentialer); ok {
		ms = append(ms, method{"socket", func() error {
			_, err := sc.SocketCredentials(ctx, id)
			e.note(err)
			return err
		}, true})
	}
	return ms
}

// caseRateLimitPersists: when the panel keeps answering 429, the client
// gives up within its bound with ErrRateLimited and a RetryAfter.
func caseRateLimitPersists(t *testing.T, e *env) {
	ctx := ctxT(t)
	_, err := e.client.Servers(ctx)
	require.NoError(t, err)
	e.throttleGETs(t, 10)
	began := time.Now()
	_, err = e.client.Servers(ctx)
	took := time.Since(began)
	assert.NotErrorIs(t, err, panel.ErrUnavailable)
	pe := requireKind(t, err, panel.ErrRateLimited)
	assert.Positive(t, pe.RetryAfter)
	requireUsefulMessage(t, err, "try again")
	assert.LessOrEqual(t, took, e.bound(stdTimeout))
}

// hangingPanel is a server that accepts requests and never answers them;
// posts counts the POSTs whose path or body names id.
func hangingPanel(t *testing.T) (url string, posts func(id string) int) {
	release := make(chan struct{})
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
			mu.Lock()
			paths = append(paths, r.URL.Path+" "+string(body))
			mu.Unlock()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv.URL, func(id string) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, p := range paths {
			if strings.Contains(p, id) {
				n++
			}
		}
		return n
	}
}

// cancelSoon is a context cancelled shortly after the call has started.
func cancelSoon(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(100*time.Millisecond, cancel)
	t.Cleanup(func() { timer.Stop(); cancel() })
	return ctx
}

// requireCancelledPromptly runs call and checks it ends within a second of
// its context's cancellation with context.Canceled (or succeeds, when
// the client had nothing to wait for).
func requireCancelledPromptly(t *testing.T, ctx context.Context, call func() error, mayFinish bool) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		if err == nil && mayFinish {
			return
		}
		assert.ErrorIs(t, err, context.Canceled)
	case <-ctx.Done():
		select {
		case err := <-done:
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(time.Second):
			t.Fatal("the call went on for over a second after its context was cancelled")
		}
	}
}

// caseCancelWhileRateLimited: a caller that gives up while the client
// waits out a 429 gets its call back at once.
func caseCancelWhileRateLimited(t *testing.T, e *env) {
	_, err := e.client.Servers(ctxT(t))
	require.NoError(t, err)
	e.throttleNextGET(t)
	ctx := cancelSoon(t)
	// Shardlyn's client waits on the shared manual clock: nothing to cancel.
	requireCancelledPromptly(t, ctx, func() error { _, err := e.client.Servers(ctx); return err }, true)
}

// caseCancelWhileHanging: a caller that gives up while the panel says
// nothing gets its call back at once, and nothing is retried after.
func caseCancelWhileHanging(t *testing.T, e *env) {
	url, _ := hangingPanel(t)
	c := e.newClient(t, url, stdTimeout)
	ctx := cancelSoon(t)
	requireCancelledPromptly(t, ctx, func() error { return c.Power(ctx, e.offline, panel.SignalStart) }, false)
	ctx = cancelSoon(t)
	requireCancelledPromptly(t, ctx, func() error { _, err := c.Servers(ctx); return err }, false)
}
