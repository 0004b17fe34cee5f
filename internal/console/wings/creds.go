package wings

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/panelbot/panelbot/internal/panel"
)

const (
	// fetchEvery spaces credential fetches: Pelican throttles the endpoint
	// to 5 a minute per server.
	fetchEvery = 12 * time.Second
	// refreshMargin: a cached token with less left than this (or than a
	// quarter of its lifetime, whichever is less) is not reused.
	refreshMargin = time.Minute
)

// tokenCache holds the current websocket credentials. It is used by the
// stream's run loop only, one session at a time, so it needs no lock.
type tokenCache struct {
	src   Credentialer
	id    string
	clock Clock
	lim   *rate.Limiter

	cur     panel.SocketCredentials
	fetched time.Time
	have    bool
}

func newTokenCache(src Credentialer, id string, clock Clock) *tokenCache {
	return &tokenCache{src: src, id: id, clock: clock, lim: rate.NewLimiter(rate.Every(fetchEvery), 1)}
}

// get returns credentials: the cached ones while they are far enough from
// expiry, unless force asks for a new token (the node said it is expiring,
// expired or denylisted). fresh says whether they were fetched just now: a
// node that refuses a fresh token will not accept a retry on the same socket.
func (t *tokenCache) get(ctx context.Context, force bool) (c panel.SocketCredentials, fresh bool, err error) {
	if !force && t.usable() {
		return t.cur, false, nil
	}
	if err := waitLimit(ctx, t.clock, t.lim); err != nil {
		return panel.SocketCredentials{}, false, err
	}
	fctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	c, err = t.src.SocketCredentials(fctx, t.id)
	if err != nil {
		return panel.SocketCredentials{}, false, err
	}
	if err := checkCredentials(&c); err != nil {
		return panel.SocketCredentials{}, false, &panel.Error{Kind: panel.ErrBadResponse, Op: "websocket credentials for " + t.id, Detail: err.Error()}
	}
	if c.Expires.IsZero() {
		c.Expires = tokenExpiry(c.Token)
	}
	t.cur, t.fetched, t.have = c, t.clock.Now(), true
	return c, true, nil
}

// invalidate forgets the token (denylisted, or the socket URL failed).
func (t *tokenCache) invalidate() { t.have = false }

func (t *tokenCache) usable() bool {
	if !t.have {
		return false
	}
	if t.cur.Expires.IsZero() {
		return true // unknown lifetime: the node will say when it expires
	}
	margin := min(refreshMargin, t.cur.Expires.Sub(t.fetched)/4)
	return t.cur.Expires.Sub(t.clock.Now()) > margin
}

// checkCredentials validates what the panel handed out; an https socket URL
// is accepted as its wss equivalent.
func checkCredentials(c *panel.SocketCredentials) error {
	if strings.TrimSpace(c.Token) == "" {
		return errors.New("the panel returned an empty websocket token")
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return errors.New("the panel returned an unusable websocket URL")
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return errors.New("the panel returned a websocket URL that is not ws:// or wss://")
	}
	c.URL = u.String()
	return nil
}

// tokenExpiry reads exp from the JWT's payload without verifying it (only
// the node can); zero when it cannot be read.
func tokenExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var p struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(b, &p) != nil {
		return time.Time{}
	}
	f, err := p.Exp.Float64()
	if err != nil || f <= 0 || f > 1e11 {
		return time.Time{}
	}
	return time.Unix(int64(f), 0)
}
