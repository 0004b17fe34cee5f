package pterodactyl

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/manualclock"
	"github.com/panelbot/panelbot/internal/panel"
)

const testKey = "ptlc_TOPSECRETkey0123456789"

func b64(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }

// stub is a panel that answers from a function and counts requests.
type stub struct {
	srv *httptest.Server
	n   atomic.Int32
}

func newStub(t *testing.T, fn func(w http.ResponseWriter, r *http.Request, n int)) *stub {
	s := &stub{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fn(w, r, int(s.n.Add(1)))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stub) count() int { return int(s.n.Load()) }

func answer(w http.ResponseWriter, status int, ctype, body string) {
	if ctype != "" {
		w.Header().Set("Content-Type", ctype)
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

const (
	jsonCT   = "application/json"
	htmlCT   = "text/html; charset=UTF-8"
	okStats  = `{"object":"stats","attributes":{"current_state":"running","is_suspended":false,"resources":{"memory_bytes":1,"cpu_absolute":2.5,"disk_bytes":3,"network_rx_bytes":4,"network_tx_bytes":5,"uptime":6000}}}`
	okServer = `{"object":"server","attributes":{"identifier":"1a2b3c4d","limits":{"memory":1024,"disk":0,"cpu":100}}}`
)

// statsPanel answers the details and the resources, with fn deciding the
// resources answers.
func statsPanel(t *testing.T, fn func(w http.ResponseWriter, n int)) *stub {
	var res atomic.Int32
	return newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if strings.HasSuffix(r.URL.Path, "/resources") {
			fn(w, int(res.Add(1)))
			return
		}
		answer(w, 200, jsonCT, okServer)
	})
}

func TestOddAnswersToGET(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		kind   error
	}{
		{"html page", 200, htmlCT, "<!DOCTYPE html><html>login</html>", panel.ErrBadResponse},
		{"html without content type", 200, "", "  <html>", panel.ErrBadResponse},
		{"truncated json", 200, jsonCT, `{"object":"stats","attributes":{"current_st`, panel.ErrBadResponse},
		{"wrong object", 200, jsonCT, `{"object":"list","data":[]}`, panel.ErrBadResponse},
		{"wrong type", 200, jsonCT, `{"object":"stats","attributes":{"resources":{"uptime":"soon"}}}`, panel.ErrBadResponse},
		{"html 404", 404, htmlCT, "<html>Not Found</html>", panel.ErrBadResponse},
		{"json 404", 404, jsonCT, `{"errors":[{"code":"NotFoundHttpException","status":"404","detail":"The requested resource does not exist on this server."}]}`, panel.ErrNotFound},
		{"405", 405, jsonCT, `{"errors":[]}`, panel.ErrBadResponse},
		{"403", 403, jsonCT, `{"errors":[{"code":"AccessDeniedHttpException","status":"403","detail":"This action is unauthorized."}]}`, panel.ErrForbidden},
		{"422", 422, jsonCT, `{"errors":[{"code":"ValidationException","status":"422","detail":"a"},{"detail":"b"}]}`, panel.ErrInvalid},
		{"proxy 429 page", 429, htmlCT, "<html>slow down</html>", panel.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := statsPanel(t, func(w http.ResponseWriter, _ int) { answer(w, tt.status, tt.ctype, tt.body) })
			c, _ := newClient(t, p.srv.URL, testKey, WithMaxRetries(0))
			_, err := c.Resources(context.Background(), idA)
			require.ErrorIs(t, err, tt.kind)
			if tt.kind == panel.ErrBadResponse {
				assert.Contains(t, panel.UserMessage(err), "PANEL_URL")
			}
		})
	}
}

func TestValidationDetailsJoined(t *testing.T) {
	p := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		answer(w, 422, jsonCT, `{"errors":[{"code":"ValidationException","status":"422","detail":"The signal field is required."},{"code":"ValidationException","status":"422","detail":"Another."}]}`)
	})
	c, _ := newClient(t, p.srv.URL, testKey)
	err := c.Power(context.Background(), idA, panel.SignalStart)
	require.ErrorIs(t, err, panel.ErrInvalid)
	assert.Equal(t, "The panel rejected the request: The signal field is required.; Another.", panel.UserMessage(err))
}

func TestRedirectIsNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	p := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, other.URL+"/auth/login", http.StatusFound)
	})
	c, _ := newClient(t, p.srv.URL, testKey)
	_, err := c.Servers(context.Background())
	require.ErrorIs(t, err, panel.ErrBadResponse)
	assert.Contains(t, err.Error(), "redirect")
	assert.Zero(t, elsewhere.Load(), "the key never follows a redirect")
}

func TestGETRetriedAfter500(t *testing.T) {
	p := statsPanel(t, func(w http.ResponseWriter, n int) {
		if n == 1 {
			answer(w, 500, htmlCT, "<html>oops</html>")
			return
		}
		answer(w, 200, jsonCT, okStats)
	})
	c, sl := newClient(t, p.srv.URL, testKey)
	res, err := c.Resources(context.Background(), idA)
	require.NoError(t, err)
	assert.Equal(t, panel.Resources{State: panel.StateRunning, Live: true, Uptime: 6 * time.Second, CPUPercent: 2.5,
		MemoryBytes: 1, MemoryLimitBytes: 1024 << 20, DiskBytes: 3, NetworkRxBytes: 4, NetworkTxBytes: 5}, res)
	assert.Equal(t, []time.Duration{250 * time.Millisecond}, sl.all())
	assert.Equal(t, 3, p.count(), "details, failed resources, resources")
}

func TestGETRetriedAfter429(t *testing.T) {
	p := statsPanel(t, func(w http.ResponseWriter, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			answer(w, 429, jsonCT, `{"errors":[{"code":"ThrottleRequestsException","status":"429","detail":"Too Many Attempts."}]}`)
			return
		}
		answer(w, 200, jsonCT, okStats)
	})
	c, sl := newClient(t, p.srv.URL, testKey)
	_, err := c.Resources(context.Background(), idA)
	require.NoError(t, err)
	require.NotEmpty(t, sl.all())
	assert.Equal(t, 2*time.Second, sl.all()[0])
}

func TestLongRetryAfterNotWaited(t *testing.T) {
	p := statsPanel(t, func(w http.ResponseWriter, _ int) {
		w.Header().Set("Retry-After", "30")
		answer(w, 429, jsonCT, `{"errors":[{"code":"ThrottleRequestsException","status":"429","detail":"Too Many Attempts."}]}`)
	})
	c, sl := newClient(t, p.srv.URL, testKey)
	_, err := c.Resources(context.Background(), idA)
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, panel.ErrRateLimited)
	assert.Equal(t, 30*time.Second, pe.RetryAfter)
	assert.Empty(t, sl.all())
	assert.Contains(t, panel.UserMessage(err), "30 s")
}

func TestPOSTNeverRetried(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504, 429} {
		p := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Retry-After", "1")
			answer(w, status, jsonCT, `{"errors":[{"code":"HttpException","status":"x","detail":"nope"}]}`)
		})
		c, sl := newClient(t, p.srv.URL, testKey)
		err := c.Power(context.Background(), idA, panel.SignalRestart)
		require.Error(t, err)
		err2 := c.Command(context.Background(), idA, "stop")
		require.Error(t, err2)
		assert.Equal(t, 2, p.count(), "status %d", status)
		if status == 429 {
			assert.ErrorIs(t, err, panel.ErrRateLimited)
		} else {
			assert.ErrorIs(t, err, panel.ErrUnavailable)
		}
		if status == 429 {
			// The second call paced itself behind the first's Retry-After.
			assert.Len(t, sl.all(), 1)
		} else {
			assert.Empty(t, sl.all())
		}
	}
}

func TestCommand502(t *testing.T) {
	tests := []struct {
		ctype, body string
		kind        error
	}{
		{jsonCT, `{"errors":[{"code":"HttpException","status":"502","detail":"Server must be online in order to send commands."}]}`, panel.ErrOffline},
		{jsonCT, `{"errors":[{"code":"DaemonConnectionException","status":"502","detail":"Could not establish a connection"}]}`, panel.ErrUnavailable},
		{htmlCT, `<html>502 Bad Gateway</html>`, panel.ErrUnavailable},
	}
	for _, tt := range tests {
		p := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { answer(w, 502, tt.ctype, tt.body) })
		c, _ := newClient(t, p.srv.URL, testKey)
		assert.ErrorIs(t, c.Command(context.Background(), idA, "list"), tt.kind, tt.body)
		assert.ErrorIs(t, c.Power(context.Background(), idA, panel.SignalStart), panel.ErrUnavailable, "502 on power is not offline")
	}
}

// cancelling is a clock whose waits never end: the caller gives up as soon
// as one starts, and waited says how long it was.
type cancelling struct {
	*manualclock.Clock
	cancel context.CancelFunc
	waited chan time.Duration
}

func (c cancelling) After(d time.Duration) <-chan time.Time {
	c.waited <- d
	go c.cancel()
	return c.Clock.After(d)
}

func TestCancelDuringRetryAfterWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := statsPanel(t, func(w http.ResponseWriter, _ int) {
		w.Header().Set("Retry-After", "3")
		answer(w, 429, jsonCT, `{"errors":[{"code":"ThrottleRequestsException","status":"429","detail":"Too Many Attempts."}]}`)
	})
	clk := cancelling{Clock: manualclock.New(time.Unix(0, 0)), cancel: cancel, waited: make(chan time.Duration, 10)}
	c, err := New(p.srv.URL, testKey, WithRateLimit(600000), WithClock(clk))
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Resources(ctx, idA)
	assert.Less(t, time.Since(start), 2*time.Second, "the wait ends with the context")
	assert.ErrorIs(t, err, panel.ErrRateLimited)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 2, p.count(), "details and one resources attempt")
	require.Len(t, clk.waited, 1)
	assert.Equal(t, 3*time.Second, <-clk.waited)
}

// TestRequestsOfOneCallShareItsTimeout: Servers (its pages) and Resources
// (details, then resources) are one call each: a slow first request leaves
// the next only what remains of the timeout (each used to get its own).
func TestRequestsOfOneCallShareItsTimeout(t *testing.T) {
	const timeout = 400 * time.Millisecond
	slowThenSilent := func(w http.ResponseWriter, r *http.Request, n int, first string) {
		if n > 1 {
			<-r.Context().Done()
			return
		}
		select { // a slow panel: most of the budget goes on the first answer
		case <-time.After(timeout * 3 / 4):
		case <-r.Context().Done():
			return
		}
		answer(w, 200, jsonCT, first)
	}
	page := `{"object":"list","data":[{"object":"server","attributes":{"identifier":"1a2b3c4d"}}],"meta":{"pagination":{"current_page":1,"total_pages":2}}}`
	for name, tc := range map[string]struct {
		first string
		call  func(c *Client) error
	}{
		"servers":   {page, func(c *Client) error { _, err := c.Servers(context.Background()); return err }},
		"resources": {okServer, func(c *Client) error { _, err := c.Resources(context.Background(), idA); return err }},
	} {
		t.Run(name, func(t *testing.T) {
			p := newStub(t, func(w http.ResponseWriter, r *http.Request, n int) { slowThenSilent(w, r, n, tc.first) })
			c, _ := newClient(t, p.srv.URL, testKey, WithTimeout(timeout))
			start := time.Now()
			err := tc.call(c)
			took := time.Since(start)
			require.ErrorIs(t, err, panel.ErrUnavailable)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, took, timeout*14/10, "one budget for the whole call")
		})
	}
}

func TestRemainingZeroPauses(t *testing.T) {
	p := newStub(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		w.Header().Set("X-RateLimit-Limit", "5")
		w.Header().Set("X-RateLimit-Remaining", fmt.Sprint(5-n))
		answer(w, 204, "", "")
	})
	c, clk := newClient(t, p.srv.URL, testKey)
	sl := clk
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		require.NoError(t, c.Power(ctx, idA, panel.SignalStart))
		clk.Advance(5 * time.Second)
	}
	// Remaining hit 0 in the window opened 25 s ago: 35 s are left, more
	// than the call's 10 s, so the call fails at once without a request.
	err := c.Power(ctx, idA, panel.SignalStart)
	var pe *panel.Error
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, panel.ErrRateLimited)
	assert.Equal(t, 35*time.Second, pe.RetryAfter)
	assert.Equal(t, 5, p.count())
	assert.Empty(t, sl.all())

	// Near the end of the window the client waits instead.
	clk.Advance(30 * time.Second)
	require.NoError(t, c.Power(ctx, idA, panel.SignalStart))
	assert.Equal(t, []time.Duration{5 * time.Second}, sl.all())
}

func TestOwnPacing(t *testing.T) {
	p := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { answer(w, 204, "", "") })
	c, err := New(p.srv.URL, testKey, WithRateLimit(1), WithTimeout(200*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, c.Power(context.Background(), idA, panel.SignalStart))
	err = c.Power(context.Background(), idA, panel.SignalStart)
	assert.ErrorIs(t, err, panel.ErrRateLimited)
	assert.Equal(t, 1, p.count(), "one a minute means one, not a burst of four")
}

// TestOwnPacingBurstsFourThenSpaces: the client's bucket keeps to
// WithRateLimit in any minute with a burst of at most four (the sizing
// itself is httpapi's TestBucketOfASmallBurstKeepsToTheLimit): at 64 a
// minute, four go at once, then one a second (60 s / (64-4)).
func TestOwnPacingBurstsFourThenSpaces(t *testing.T) {
	p := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { answer(w, 204, "", "") })
	c, clk := newClient(t, p.srv.URL, testKey, WithRateLimit(64))
	for range 6 {
		require.NoError(t, c.Power(context.Background(), idA, panel.SignalStart))
	}
	assert.Equal(t, 6, p.count())
	assert.Equal(t, []time.Duration{time.Second, time.Second}, clk.all())
}

func TestNetworkErrorRetriedAndClean(t *testing.T) {
	p := newStub(t, func(http.ResponseWriter, *http.Request, int) {})
	url := p.srv.URL
	p.srv.Close()
	c, sl := newClient(t, url, testKey)
	_, err := c.Servers(context.Background())
	require.ErrorIs(t, err, panel.ErrUnavailable)
	assert.Len(t, sl.all(), 2, "retried twice")
	assert.NotContains(t, err.Error(), "per_page")
	assert.NotContains(t, err.Error(), "http://")
}

func TestHugeAnswerRefused(t *testing.T) {
	p := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		answer(w, 200, jsonCT, `{"object":"list","data":[],"x":"`+strings.Repeat("a", maxBody)+`"}`)
	})
	c, _ := newClient(t, p.srv.URL, testKey)
	_, err := c.Servers(context.Background())
	assert.ErrorIs(t, err, panel.ErrBadResponse)
}

func TestBrokenPagination(t *testing.T) {
	var pages atomic.Int32
	p := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		pages.Add(1)
		page := r.URL.Query().Get("page")
		answer(w, 200, jsonCT, `{"object":"list","data":[{"object":"server","attributes":{"identifier":"1a2b3c4d"}}],
			"meta":{"pagination":{"current_page":`+page+`,"total_pages":100000}}}`)
	})
	c, _ := newClient(t, p.srv.URL, testKey)
	servers, err := c.Servers(context.Background())
	require.NoError(t, err)
	assert.Len(t, servers, maxPages)
	assert.Equal(t, int32(maxPages), pages.Load())

	q := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		answer(w, 200, jsonCT, `{"object":"list","data":[{"object":"server","attributes":{"identifier":"1a2b3c4d"}}],
			"meta":{"pagination":{"current_page":1,"total_pages":3}}}`)
	})
	c, _ = newClient(t, q.srv.URL, testKey)
	_, err = c.Servers(context.Background())
	assert.ErrorIs(t, err, panel.ErrBadResponse, "a panel that repeats page 1")
}

func TestSecretsNeverInErrors(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request, status int) {
		auth := r.Header.Get("Authorization")
		answer(w, status, jsonCT, `{"errors":[{"code":"`+auth+`","status":"1","detail":"you sent `+auth+`"}]}`)
	}
	var errs []error
	for _, status := range []int{400, 401, 403, 404, 409, 422, 429, 500, 502, 504} {
		p := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) { echo(w, r, status) })
		c, _ := newClient(t, p.srv.URL, testKey)
		_, err := c.Servers(context.Background())
		errs = append(errs, err, c.Command(context.Background(), idA, "x"))
		_, err = c.SocketCredentials(context.Background(), idA)
		errs = append(errs, err)
	}
	html := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		answer(w, 200, htmlCT, "<html>"+r.Header.Get("Authorization")+"</html>")
	})
	c, _ := newClient(t, html.srv.URL, testKey)
	_, err := c.Servers(context.Background())
	errs = append(errs, err)
	_, err = New("https://x.example", "ptla_"+testKey)
	errs = append(errs, err)
	for _, err := range errs {
		require.Error(t, err)
		for _, text := range []string{err.Error(), panel.UserMessage(err), fmt.Sprintf("%+v", err)} {
			assert.NotContains(t, text, "TOPSECRET")
			assert.NotContains(t, text, "per_page=")
		}
		assert.True(t, errors.As(err, new(*panel.Error)))
	}
}

// TestClipCountsCharacters: clip bounds text to n characters and "…",
// never cutting one in half, and makes it one line.
func TestClipCountsCharacters(t *testing.T) {
	assert.Equal(t, "a b", clip("a\nb", 10))
	assert.Equal(t, "ééééé…", clip(strings.Repeat("é", 10), 5))
	assert.Equal(t, "ééééé", clip(strings.Repeat("é", 5), 5), "at the bound: kept whole")
	assert.Equal(t, "a?b", clip("a\xffb", 10), "invalid UTF-8")
}
