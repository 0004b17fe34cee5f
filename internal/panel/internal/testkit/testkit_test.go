package testkit

import (
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/panelbot/panelbot/internal/panel"
)

// spy is a testing.TB that notes failures instead of failing, so that the
// helpers can be shown to fail when they must. Only what testify and the
// helpers call is implemented; the embedded nil TB panics on anything else.
type spy struct {
	testing.TB
	failed bool
}

func (s *spy) Helper()               {}
func (s *spy) Errorf(string, ...any) { s.failed = true }
func (s *spy) Fatal(...any)          { s.FailNow() }
func (s *spy) Fatalf(string, ...any) { s.FailNow() }
func (s *spy) FailNow()              { s.failed = true; runtime.Goexit() }
func (s *spy) Name() string          { return "spy" }

// fails runs f on a spy in its own goroutine (FailNow ends it) and says
// whether f failed.
func fails(f func(t testing.TB)) bool {
	s := &spy{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(s)
	}()
	<-done
	return s.failed
}

func TestHelpersFailWhenTheyMust(t *testing.T) {
	notFound := &panel.Error{Class: panel.ErrNotFound, Op: "status 1"}
	leaky := &panel.Error{Class: panel.ErrUnauthorized, Detail: "key s3cr3t refused"}

	assert.False(t, fails(func(t testing.TB) { RequireKind(t, notFound, panel.ErrNotFound) }))
	assert.True(t, fails(func(t testing.TB) { RequireKind(t, notFound, panel.ErrConflict) }))
	assert.True(t, fails(func(t testing.TB) { RequireKind(t, nil, panel.ErrNotFound) }))
	assert.True(t, fails(func(t testing.TB) { RequireKind(t, errors.New("plain"), panel.ErrNotFound) }))

	assert.False(t, fails(func(t testing.TB) { RequireNoLeak(t, []error{notFound}, "s3cr3t") }))
	assert.True(t, fails(func(t testing.TB) { RequireNoLeak(t, []error{notFound, leaky}, "s3cr3t") }))
	assert.True(t, fails(func(t testing.TB) { RequireNoLeak(t, []error{nil}, "s3cr3t") }))

	assert.False(t, fails(func(t testing.TB) { CheckError(t, notFound, "s3cr3t", 10, panel.ErrNotFound) }))
	assert.True(t, fails(func(t testing.TB) { CheckError(t, notFound, "s3cr3t", 10, panel.ErrConflict) }))
	assert.True(t, fails(func(t testing.TB) { CheckError(t, leaky, "s3cr3t", 100, panel.ErrUnauthorized) }))
	assert.True(t, fails(func(t testing.TB) { CheckError(t, leaky, "other", 5, panel.ErrUnauthorized) }), "detail too long")
	waitsBack := &panel.Error{Class: panel.ErrRateLimited, RetryAfter: -1}
	assert.True(t, fails(func(t testing.TB) { CheckError(t, waitsBack, "s3cr3t", 10, panel.ErrRateLimited) }))
}
