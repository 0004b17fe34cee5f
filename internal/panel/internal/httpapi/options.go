package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SetHTTPClient is the body of a client's WithHTTPClient option: it stores
// a copy, so that refusing redirects on it (see NoRedirects) leaves the
// caller's client as it was.
func SetHTTPClient(dst **http.Client, hc *http.Client) error {
	if hc == nil {
		return errors.New("WithHTTPClient: the HTTP client is nil")
	}
	cp := *hc
	*dst = &cp
	return nil
}

// SetPositive is the body of an option that takes a duration which only
// makes sense when positive (a timeout, a queue wait); option names it in
// the error.
func SetPositive(dst *time.Duration, option string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s: %s: use a positive duration", option, d)
	}
	*dst = d
	return nil
}

// BaseURL reads the API address an owner configured ("" for def, the
// documented one). It refuses what cannot be the API's address — a relative
// or non-http(s) URL, credentials, a query or a fragment — with a sentence
// that names the setting (what, "the zampto API URL") and shows def.
func BaseURL(raw, def, what string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s must be an absolute http(s) address such as %s", what, def)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s must not hold credentials, a query or a fragment: use %s", what, def)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// IsSpaceOrControl marks what cannot stand in a credential or an ID: spaces,
// line breaks and control characters, which pasting often brings along.
func IsSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }
