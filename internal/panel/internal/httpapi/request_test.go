package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

func caller(timeout time.Duration) *Caller {
	return &Caller{Panel: "Acme", HC: &http.Client{CheckRedirect: NoRedirects}, Timeout: timeout, MaxBody: 8}
}

func get(url string) func(context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) { return NewRequest(ctx, http.MethodGet, url, nil) }
}

func TestExchangeReadsABoundedAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, strings.TrimPrefix(r.URL.Path, "/"))
	}))
	defer srv.Close()
	c := caller(time.Second)
	resp, body, err := c.Exchange(context.Background(), "op", get(srv.URL+"/short"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "short", string(body))

	_, body, err = c.Exchange(context.Background(), "op", get(srv.URL+"/"+strings.Repeat("x", 100)))
	require.NoError(t, err)
	assert.Len(t, body, 9, "MaxBody+1: enough to tell it is too long")
}

func TestExchangeSaysWhoGaveUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()

	_, _, err := caller(20*time.Millisecond).Exchange(context.Background(), "list servers", get(srv.URL+"/list?key=s3cr3t"))
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, panel.ErrUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "Acme did not answer in time. Try again in a minute.", pe.Message)
	assert.Equal(t, "list servers", pe.Op)
	assert.NotContains(t, err.Error(), srv.URL)
	assert.NotContains(t, err.Error(), "s3cr3t")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err = caller(time.Minute).Exchange(ctx, "op", get(srv.URL))
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, pe.Message, "the caller's own deadline is not the panel's fault")

	srv.Close()
	_, _, err = caller(time.Second).Exchange(context.Background(), "op", get(srv.URL))
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "no answer from Acme", pe.Detail)
	assert.NotContains(t, err.Error(), srv.URL)

	built := errors.New("built badly")
	_, _, err = caller(time.Second).Exchange(context.Background(), "op",
		func(context.Context) (*http.Request, error) { return nil, built })
	assert.Same(t, built, err)
}

// TestBoundSharesOneBudget: the attempts of one call share the Timeout that
// Bound set, so a second attempt after a timed-out one fails at once, and
// both say the panel did not answer in time.
func TestBoundSharesOneBudget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	const timeout = 100 * time.Millisecond
	c := caller(timeout)
	ctx, cancel := c.Bound(context.Background())
	defer cancel()
	start := time.Now()
	for range 3 {
		_, _, err := c.Exchange(ctx, "op", get(srv.URL))
		var pe *panel.Error
		require.ErrorAs(t, err, &pe)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, "Acme did not answer in time. Try again in a minute.", pe.Message)
	}
	assert.Less(t, time.Since(start), 2*timeout, "three attempts, one budget")

	parent, stop := context.WithCancel(context.Background())
	ctx, cancel = c.Bound(parent)
	defer cancel()
	stop()
	_, _, err := c.Exchange(ctx, "op", get(srv.URL))
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, pe.Message, "the caller gave up: not the panel's fault")
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var followed bool
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed = true }))
	defer target.Close()
	srv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusFound))
	defer srv.Close()
	resp, _, err := caller(time.Second).Exchange(context.Background(), "op", get(srv.URL))
	require.NoError(t, err)
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.False(t, followed)
}

func TestNewRequestAndEncodeJSON(t *testing.T) {
	payload, err := EncodeJSON("power", map[string]int{"server": 1})
	require.NoError(t, err)
	req, err := NewRequest(context.Background(), http.MethodPost, "http://x/start", payload)
	require.NoError(t, err)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	b, _ := io.ReadAll(req.Body)
	assert.JSONEq(t, `{"server":1}`, string(b))

	req, err = NewRequest(context.Background(), http.MethodGet, "http://x/list", nil)
	require.NoError(t, err)
	assert.Empty(t, req.Header.Get("Content-Type"))
	_, err = NewRequest(context.Background(), "bad method", "http://x/", nil)
	assert.Error(t, err)

	payload, err = EncodeJSON("power", nil)
	assert.NoError(t, err)
	assert.Nil(t, payload)
	_, err = EncodeJSON("power", func() {})
	assert.ErrorIs(t, err, panel.ErrInvalid)
}

func TestStripURLAndLooksHTML(t *testing.T) {
	cause := errors.New("connection refused")
	assert.Same(t, cause, StripURL(&url.Error{Op: "Get", URL: "http://host/?key=s3cr3t", Err: cause}))
	assert.Same(t, cause, StripURL(cause))

	assert.True(t, LooksHTML(http.Header{"Content-Type": {"Text/HTML; charset=utf-8"}}, nil))
	assert.True(t, LooksHTML(http.Header{}, []byte("  <!DOCTYPE html>")))
	assert.False(t, LooksHTML(http.Header{"Content-Type": {"application/json"}}, []byte(`{"a":1}`)))
}
