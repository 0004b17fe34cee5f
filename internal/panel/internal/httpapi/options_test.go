package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetHTTPClientCopies(t *testing.T) {
	var dst *http.Client
	assert.EqualError(t, SetHTTPClient(&dst, nil), "WithHTTPClient: the HTTP client is nil")
	assert.Nil(t, dst)
	mine := &http.Client{Timeout: time.Second}
	require.NoError(t, SetHTTPClient(&dst, mine))
	dst.CheckRedirect = NoRedirects
	assert.Nil(t, mine.CheckRedirect, "the caller's client is left as it was")
	assert.Equal(t, time.Second, dst.Timeout)
}

func TestSetPositive(t *testing.T) {
	d := time.Minute
	assert.EqualError(t, SetPositive(&d, "WithTimeout", 0), "WithTimeout: 0s: use a positive duration")
	assert.Equal(t, time.Minute, d, "a refused value is not stored")
	require.NoError(t, SetPositive(&d, "WithTimeout", time.Second))
	assert.Equal(t, time.Second, d)
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
