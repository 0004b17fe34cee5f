// Package testkit holds the helpers that the panel clients' tests and the
// simulators' tests share, so that each test file states only what is
// particular to its panel.
package testkit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

// Context bounds one call of a test, so that a client or simulator that
// hangs fails the test in seconds instead of stalling the suite.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// RequireKind stops the test unless err is a *panel.Error of this kind, and
// returns it for further checks.
func RequireKind(t testing.TB, err error, kind error) *panel.Error {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind, "got %v", err)
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	return pe
}

// Send makes one raw request to a simulator at baseURL, bypassing the
// client, so that a test can send what the client never would; auth and
// contentType "" send no such header. It returns the answer read in full.
func Send(t testing.TB, baseURL, method, path, auth, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, baseURL+path, strings.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, raw
}

// Limited is a panel that answers 429, with this Retry-After and
// limitedBody, to its first n requests and okBody after that, counting
// them; the caller closes it.
func Limited(n int32, retryAfter, limitedBody, okBody string) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) <= n {
			w.Header().Set("Retry-After", retryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(limitedBody))
			return
		}
		_, _ = w.Write([]byte(okBody))
	}))
	return srv, &calls
}

// CheckError is the property a fuzzed error mapping must keep: e is of one
// of kinds, holds the secret neither in its text nor in the user's
// sentence, never asks for a negative wait, and keeps at most maxDetail
// bytes of the panel's own words (plus the "…" of a cut).
func CheckError(t testing.TB, e *panel.Error, secret string, maxDetail int, kinds ...error) {
	t.Helper()
	found := false
	for _, k := range kinds {
		found = found || errors.Is(e, k)
	}
	if !found {
		t.Fatalf("no known kind: %v", e)
	}
	if strings.Contains(e.Error(), secret) || strings.Contains(panel.UserMessage(e), secret) {
		t.Fatal("the secret leaked into the error")
	}
	if e.RetryAfter < 0 || len(e.Detail) > maxDetail+4 {
		t.Fatalf("bad error: %+v", e)
	}
}

// RequireNoLeak checks that none of errs is nil and that neither the
// operator's text nor the user's sentence of any holds one of secrets (a
// key, a token, a password, the panel's URL).
func RequireNoLeak(t testing.TB, errs []error, secrets ...string) {
	t.Helper()
	for _, err := range errs {
		require.Error(t, err)
		for _, text := range []string{err.Error(), panel.UserMessage(err)} {
			for _, secret := range secrets {
				assert.NotContains(t, text, secret)
			}
		}
	}
}
