package pterodactyl

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
)

// canned answers every request at once, without a network.
type canned func(*http.Request) *http.Response

func (f canned) RoundTrip(r *http.Request) (*http.Response, error) { return f(r), nil }

// fuzzClient is a client whose every request is answered with status,
// Retry-After and body, through the whole funnel, and never retried.
func fuzzClient(t *testing.T, status int, retryAfter, body string) *Client {
	hc := &http.Client{Transport: canned(func(*http.Request) *http.Response { return response(status, jsonCT, retryAfter, body) })}
	c, err := New("https://panel.example.com", testKey, WithRateLimit(600000), WithMaxRetries(0), WithHTTPClient(hc))
	require.NoError(t, err)
	return c
}

func response(status int, ctype, retryAfter, body string) *http.Response {
	h := http.Header{}
	h.Set("Content-Type", ctype)
	h.Set("Retry-After", retryAfter)
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

// FuzzErrorEnvelope feeds error answers of any shape: the result is always a
// typed error, bounded, with no trace of the key.
func FuzzErrorEnvelope(f *testing.F) {
	seeds := []string{
		`{"errors":[{"code":"NotFoundHttpException","status":"404","detail":"The requested resource does not exist on this server."}]}`,
		`{"errors":[{"code":"ValidationException","status":"422","detail":"The signal field is required.","meta":{"source_field":"signal","rule":"required"}}]}`,
		`{"errors":[{"status":404,"detail":null}]}`,
		`{"errors":null}`, `{"errors":"x"}`, `{}`, `[]`, ``, `null`, `<html>Bad Gateway</html>`,
		`{"errors":[{"detail":"echo Bearer ` + testKey + `"}]}`,
		`{"errors":[{"detail":"` + strings.Repeat("é", 400) + `"}]}`,
		"{\"errors\":[{\"detail\":\"\\u0000\\n\xff\"}]}",
	}
	for i, s := range seeds {
		f.Add(s, 400+i*17, "1")
	}
	f.Add(`{"errors":[{"code":"HttpException","detail":"Server must be online in order to send commands."}]}`, 502, "")
	f.Add(`{"errors":[]}`, 429, "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Fuzz(func(t *testing.T, body string, status int, retry string) {
		status = 300 + (status%300+300)%300
		err := fuzzClient(t, status, retry, body).do(context.Background(), "command", http.MethodPost, "/servers/1a2b3c4d/command", nil, nil)
		var pe *panel.Error
		require.True(t, errors.As(err, &pe), "status %d: %v", status, err)
		require.NotNil(t, pe.Class)
		assert.LessOrEqual(t, utf8.RuneCountInString(pe.Detail), maxDetail+1, "characters, the ellipsis included")
		assert.GreaterOrEqual(t, pe.RetryAfter, time.Duration(0))
		assert.LessOrEqual(t, pe.RetryAfter, 2*time.Minute)
		assert.NotContains(t, err.Error(), "TOPSECRET")
		assert.NotEmpty(t, panel.UserMessage(err))
	})
}

// FuzzResources feeds /resources answers: either a bad-response error or
// figures that make sense.
func FuzzResources(f *testing.F) {
	f.Add(okStats)
	f.Add(`{"object":"stats","attributes":{"state":"RUNNING","resources":{"memory_bytes":"12","cpu_absolute":null,"uptime":1e30}}}`)
	f.Add(`{"object":"stats","attributes":{"current_state":"exploded","resources":{"memory_bytes":-5,"disk_bytes":1.5}}}`)
	f.Add(`{"object":"stats","attributes":{"resources":{"uptime":"NaN","network_rx_bytes":"Inf"}}}`)
	f.Add(`{"object":"stats"`)
	f.Add(`{"object":"stats","attributes":[]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var s statsResponse
		err := fuzzClient(t, 200, "", body).do(context.Background(), "resources", http.MethodGet, "/servers/1a2b3c4d/resources", nil, &s)
		if err != nil {
			require.ErrorIs(t, err, panel.ErrBadResponse)
			return
		}
		r := s.resources(limitsAt{memMB: 1024, diskMB: 1 << 62})
		assert.Contains(t, []panel.State{panel.StateOffline, panel.StateStarting, panel.StateRunning, panel.StateStopping, panel.StateUnknown}, r.State)
		for _, v := range []int64{r.MemoryBytes, r.DiskBytes, r.NetworkRxBytes, r.NetworkTxBytes, int64(r.Uptime)} {
			assert.GreaterOrEqual(t, v, int64(0))
		}
		assert.GreaterOrEqual(t, r.CPUPercent, 0.0)
		assert.Equal(t, int64(1024)<<20, r.MemoryLimitBytes)
		assert.Zero(t, r.DiskLimitBytes, "an absurd limit is unknown, not an overflow")
	})
}

// FuzzServerList feeds list pages: no panic, and every server returned has
// a usable identifier.
func FuzzServerList(f *testing.F) {
	f.Add(`{"object":"list","data":[{"object":"server","attributes":{"identifier":"1a2b3c4d","uuid":"x","name":"A","limits":{"memory":"1024","disk":null,"cpu":12.5},"status":null}}],"meta":{"pagination":{"current_page":1,"total_pages":1}}}`)
	f.Add(`{"object":"list","data":[{"attributes":{"identifier":"../../x"}}]}`)
	f.Add(`{"object":"list","data":null,"meta":{"pagination":{"current_page":"1"}}}`)
	f.Add(`{"object":"list","data":[{"attributes":{"identifier":"1a2b3c4d","status":"installing","is_suspended":"yes"}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var lr listResponse
		err := fuzzClient(t, 200, "", body).do(context.Background(), "list servers", http.MethodGet, "?page=1", nil, &lr)
		if err != nil {
			require.ErrorIs(t, err, panel.ErrBadResponse)
			return
		}
		for _, o := range lr.Data {
			s := o.Attributes.server()
			assert.GreaterOrEqual(t, s.Limits.MemoryMB, int64(0))
			assert.LessOrEqual(t, utf8.RuneCountInString(s.Name), 200+1, "characters, the ellipsis included")
		}
	})
}
