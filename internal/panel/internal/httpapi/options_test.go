package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/manualclock"
)

func TestWithHTTPClientCopies(t *testing.T) {
	var c Client
	assert.EqualError(t, WithHTTPClient(nil)(&c), "WithHTTPClient: the HTTP client is nil")
	assert.Nil(t, c.hc)
	mine := &http.Client{Timeout: time.Second}
	require.NoError(t, WithHTTPClient(mine)(&c))
	assert.Nil(t, mine.CheckRedirect, "the caller's client is left as it was")
	assert.NotNil(t, c.hc.CheckRedirect, "the copy refuses redirects")
	assert.Equal(t, time.Second, c.hc.Timeout)
}

func TestPositiveSettings(t *testing.T) {
	c := Client{Timeout: time.Minute, MaxWait: time.Minute}
	assert.EqualError(t, WithTimeout(0)(&c), "WithTimeout: 0s: use a positive duration")
	assert.EqualError(t, WithMaxQueueWait(-time.Second)(&c), "WithMaxQueueWait: -1s: use a positive duration")
	assert.Equal(t, time.Minute, c.Timeout, "a refused value is not stored")
	require.NoError(t, WithTimeout(time.Second)(&c))
	require.NoError(t, WithMaxQueueWait(2*time.Second)(&c))
	assert.Equal(t, time.Second, c.Timeout)
	assert.Equal(t, 2*time.Second, c.MaxWait)
	assert.Error(t, WithRetries(11, 0)(&c))
	require.NoError(t, WithRetries(3, time.Second)(&c))
	assert.Equal(t, 3, c.Retry.Tries)
}

func TestWithClock(t *testing.T) {
	var c Client
	assert.EqualError(t, WithClock(nil)(&c), "WithClock: the clock is nil")
	assert.WithinDuration(t, time.Now(), c.Now(), time.Minute, "nil is the wall clock")
	clk := manualclock.New(time.Unix(42, 0))
	require.NoError(t, WithClock(clk)(&c))
	assert.Equal(t, time.Unix(42, 0), c.Now())
}

func TestBearer(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "http://x/", nil)
	require.NoError(t, err)
	renew, err := Bearer("s3cr3t")(context.Background(), req)
	require.NoError(t, err)
	assert.Nil(t, renew, "a fixed token has nothing to renew")
	assert.Equal(t, "Bearer s3cr3t", req.Header.Get("Authorization"))
}

func TestBaseURL(t *testing.T) {
	const def = "https://api.example.com"
	u, err := BaseURL("", def, "the Acme URL")
	require.NoError(t, err)
	assert.Equal(t, def, u.String())
	u, err = BaseURL(" http://127.0.0.1:8080/base/// ", def, "the Acme URL")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/base", u.String())

	for _, bad := range []string{"api.example.com", "ftp://api.example.com", "https://", "%zz"} {
		_, err := BaseURL(bad, def, "the Acme URL")
		assert.EqualError(t, err, "the Acme URL must be an absolute http(s) address such as "+def, bad)
	}
	for _, bad := range []string{"https://u:p@api.example.com", "https://api.example.com/?x=1", "https://api.example.com/#x"} {
		_, err := BaseURL(bad, def, "the Acme URL")
		assert.EqualError(t, err, "the Acme URL must not hold credentials, a query or a fragment: use "+def, bad)
		assert.NotContains(t, err.Error(), "u:p")
	}
}

func TestIsSpaceOrControl(t *testing.T) {
	for _, r := range " \t\r\n\x00\x7f" {
		assert.True(t, IsSpaceOrControl(r), "%q", r)
	}
	for _, r := range "aZ09_-|é" {
		assert.False(t, IsSpaceOrControl(r), "%q", r)
	}
}
