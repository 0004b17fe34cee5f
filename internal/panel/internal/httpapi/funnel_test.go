package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
)

// acme is a funnel to srv whose status errors say the status and nothing
// more, with MaxBody 8.
func acme(t *testing.T, srv *httptest.Server, timeout time.Duration) *Client {
	t.Helper()
	base, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return &Client{Panel: "Acme", Base: base, hc: &http.Client{CheckRedirect: noRedirects}, Timeout: timeout, MaxBody: 8,
		StatusError: func(r *Request, resp *http.Response, _ []byte) *panel.Error {
			e := &panel.Error{Class: panel.ErrInvalid, Op: r.Op, Status: resp.StatusCode}
			switch {
			case resp.StatusCode == http.StatusTooManyRequests:
				e.Class, e.RetryAfter = panel.ErrRateLimited, RetryAfterOr(resp.Header, time.Now(), time.Second)
			case resp.StatusCode >= 500:
				e.Class = panel.ErrUnavailable
			}
			return e
		}}
}

// answering is a panel that answers every request with status, ctype and
// body, and counts the requests by method.
func answering(t *testing.T, status int, ctype, body string) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func get(op string) *Request {
	return &Request{Op: op, Method: http.MethodGet, Path: "/list?key=s3cr3t"}
}
func post(op string) *Request {
	return &Request{Op: op, Method: http.MethodPost, Path: "/start", Body: map[string]int{"server": 1}}
}

func TestDoDecodesAndBoundsTheAnswer(t *testing.T) {
	srv, _ := answering(t, 200, "application/json", `{"a":1}`)
	var out struct{ A int }
	require.NoError(t, acme(t, srv, time.Second).Do(context.Background(), get("list"), &out))
	assert.Equal(t, 1, out.A)

	srv, _ = answering(t, 200, "application/json", `{"a":"0123456789"}`)
	err := acme(t, srv, time.Second).Do(context.Background(), get("list"), &out)
	assert.ErrorIs(t, err, panel.ErrBadResponse, "longer than MaxBody")
}

// TestUnexpected2xxIsABadResponse: a 2xx that is not what the endpoint
// promises is ErrBadResponse with a sentence, on a GET and on a POST,
// and the POST is not sent again.
func TestUnexpected2xxIsABadResponse(t *testing.T) {
	tests := []struct {
		name, ctype, body string
		status            int
		jsonDue           bool
	}{
		{"html page", "text/html", "<html>maintenance</html>", 200, false},
		{"html without content type", "", " <!DOCTYPE html>", 200, false},
		{"empty where JSON is due", "application/json", "", 200, true},
		{"malformed", "application/json", `{"a":`, 200, false},
		{"malformed json due", "application/json", `nope`, 201, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []*Request{get("list"), post("power start 1")} {
				srv, n := answering(t, tt.status, tt.ctype, tt.body)
				c := acme(t, srv, time.Second)
				c.Retry = Retrier{Tries: 3}
				var out any
				if tt.jsonDue {
					out = new(json.RawMessage)
				}
				err := c.Do(context.Background(), r, out)
				var pe *panel.Error
				require.ErrorAs(t, err, &pe, r.Method)
				assert.ErrorIs(t, err, panel.ErrBadResponse)
				assert.NotEmpty(t, panel.UserMessage(err))
				assert.NotContains(t, err.Error(), "s3cr3t")
				assert.EqualValues(t, 1, n.Load(), "%s: a 2xx is not retried", r.Method)
				if r.Method == http.MethodPost {
					assert.Contains(t, pe.Message, "check the server's state before sending it again")
				}
			}
		})
	}
}

func TestNoContentIsSuccessEvenWhereJSONIsDue(t *testing.T) {
	srv, _ := answering(t, http.StatusNoContent, "", "")
	assert.NoError(t, acme(t, srv, time.Second).Do(context.Background(), post("power"), new(json.RawMessage)))
	srv, _ = answering(t, http.StatusOK, "application/json", `{}`)
	assert.NoError(t, acme(t, srv, time.Second).Do(context.Background(), post("power"), nil), "JSON nobody reads")
}

func TestDoSaysWhoGaveUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()

	err := acme(t, srv, 20*time.Millisecond).Do(context.Background(), get("list servers"), nil)
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
	err = acme(t, srv, time.Minute).Do(ctx, get("op"), nil)
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, pe.Message, "the caller's own deadline is not the panel's fault")

	c := acme(t, srv, time.Second)
	srv.Close()
	err = c.Do(context.Background(), get("op"), nil)
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "no answer from Acme", pe.Detail)
	assert.NotContains(t, err.Error(), srv.URL)
}

// TestBoundSharesOneBudget: the attempts of one call share the Timeout that
// Bound set, so a retry after a timed-out attempt fails at once.
func TestBoundSharesOneBudget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	const timeout = 100 * time.Millisecond
	c := acme(t, srv, timeout)
	c.Retry = Retrier{Tries: 3}
	start := time.Now()
	err := c.Do(context.Background(), get("op"), nil)
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "Acme did not answer in time. Try again in a minute.", pe.Message)
	assert.Less(t, time.Since(start), 2*timeout, "four attempts, one budget")

	parent, stop := context.WithCancel(context.Background())
	stop()
	err = c.Do(parent, get("op"), nil)
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, pe.Message, "the caller gave up: not the panel's fault")
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var followed atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Store(true) }))
	defer target.Close()
	srv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusFound))
	defer srv.Close()
	c := acme(t, srv, time.Second)
	for _, hc := range []*http.Client{c.hc, nil} {
		c.hc = hc
		err := c.Do(context.Background(), get("op"), nil)
		var pe *panel.Error
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, http.StatusFound, pe.Status)
		assert.False(t, followed.Load(), "HC %v", hc)
	}
}

// TestRenewRetriesOnceAfter401: a 401 earns one more try with a renewed
// credential, a POST too (the panel refused before acting), and only one.
func TestRenewRetriesOnceAfter401(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization"))
		if r.Header.Get("Authorization") != "Bearer fresh" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	token, renewals := "stale", 0
	c := acme(t, srv, time.Second)
	c.Auth = func(_ context.Context, req *http.Request) (func() bool, error) {
		req.Header.Set("Authorization", "Bearer "+token)
		return func() bool { renewals++; token = "fresh"; return true }, nil
	}
	require.NoError(t, c.Do(context.Background(), post("power"), nil))
	assert.Equal(t, []string{"Bearer stale", "Bearer fresh"}, seen)

	token, seen = "revoked", nil
	c.Auth = func(_ context.Context, req *http.Request) (func() bool, error) {
		req.Header.Set("Authorization", "Bearer "+token)
		return func() bool { renewals++; return true }, nil
	}
	err := c.Do(context.Background(), post("power"), nil)
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusUnauthorized, pe.Status)
	assert.Len(t, seen, 2, "renewed once, not in a loop")
	assert.Equal(t, 2, renewals)
}

// TestNoCredentialIsFinal: a failed Auth ends the call as it is, even when
// its kind would have a GET retried (a renewal met the panel's 503).
func TestNoCredentialIsFinal(t *testing.T) {
	srv, n := answering(t, http.StatusOK, "application/json", `{}`)
	c := acme(t, srv, time.Second)
	c.Retry = Retrier{Tries: 3}
	refused := &panel.Error{Class: panel.ErrUnavailable, Op: "refresh token", Status: 503, Message: "say so"}
	calls := 0
	c.Auth = func(context.Context, *http.Request) (func() bool, error) { calls++; return nil, refused }
	err := c.Do(context.Background(), get("list"), nil)
	assert.Same(t, refused, err)
	assert.Equal(t, 1, calls)
	assert.Zero(t, n.Load())

	c.Auth = func(context.Context, *http.Request) (func() bool, error) { return nil, context.Canceled }
	err = c.Do(context.Background(), get("list"), nil)
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, panel.ErrUnavailable)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "list", pe.Op)
}

// TestRenewedRequestTakesItsTurn: the request sent again after a renewal
// counts against the bucket like any other.
func TestRenewedRequestTakesItsTurn(t *testing.T) {
	srv, n := answering(t, http.StatusUnauthorized, "application/json", `{}`)
	c := acme(t, srv, time.Second)
	c.Auth = func(context.Context, *http.Request) (func() bool, error) { return func() bool { return true }, nil }
	c.Clock = manualclock.New(time.Unix(0, 0))
	c.MaxWait = time.Minute
	r := post("power")
	r.Bucket = c.NewRateBucket(1.0/3600, 2)
	err := c.Do(context.Background(), r, nil)
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusUnauthorized, pe.Status)
	assert.EqualValues(t, 2, n.Load())
	var qf *queueFull
	assert.ErrorAs(t, r.Bucket.wait(context.Background()), &qf, "both sends took a turn")
}

func TestObserveSeesEveryAnswer(t *testing.T) {
	srv, _ := answering(t, http.StatusTooManyRequests, "application/json", `{}`)
	c := acme(t, srv, time.Second)
	var statuses []int
	c.Observe = func(_ *Request, resp *http.Response) { statuses = append(statuses, resp.StatusCode) }
	b := bucket(1000, 1000, time.Second, time.Minute)
	r := get("op")
	r.Bucket = b
	assert.ErrorIs(t, c.Do(context.Background(), r, nil), panel.ErrRateLimited)
	assert.Equal(t, []int{429}, statuses)
	assert.Zero(t, b.pausedFor(), "with Observe set the client decides about pauses")

	c.Observe = nil
	assert.ErrorIs(t, c.Do(context.Background(), r, nil), panel.ErrRateLimited)
	assert.Positive(t, b.pausedFor(), "without it a 429 pauses the bucket")
}

func TestNewRequestAndEncodeJSON(t *testing.T) {
	payload, err := encodeJSON("power", map[string]int{"server": 1})
	require.NoError(t, err)
	req, err := newRequest(context.Background(), http.MethodPost, "http://x/start", payload)
	require.NoError(t, err)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	b, _ := io.ReadAll(req.Body)
	assert.JSONEq(t, `{"server":1}`, string(b))

	req, err = newRequest(context.Background(), http.MethodGet, "http://x/list", nil)
	require.NoError(t, err)
	assert.Empty(t, req.Header.Get("Content-Type"))
	_, err = newRequest(context.Background(), "bad method", "http://x/", nil)
	assert.Error(t, err)

	payload, err = encodeJSON("power", nil)
	assert.NoError(t, err)
	assert.Nil(t, payload)
	_, err = encodeJSON("power", func() {})
	assert.ErrorIs(t, err, panel.ErrInvalid)
}

func TestStripURLAndLooksHTML(t *testing.T) {
	cause := errors.New("connection refused")
	assert.Same(t, cause, StripURL(&url.Error{Op: "Get", URL: "http://host/?key=s3cr3t", Err: cause}))
	assert.Same(t, cause, StripURL(cause))

	assert.True(t, looksHTML(http.Header{"Content-Type": {"Text/HTML; charset=utf-8"}}, nil))
	assert.True(t, looksHTML(http.Header{}, []byte("  <!DOCTYPE html>")))
	assert.False(t, looksHTML(http.Header{"Content-Type": {"application/json"}}, []byte(`{"a":1}`)))
	assert.False(t, strings.Contains(decode(200, http.Header{}, []byte(`{"a":1}`), nil), "JSON"))
}
