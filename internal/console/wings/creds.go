package wings

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/panelbot/panelbot/internal/clock"
	"github.com/panelbot/panelbot/internal/jwtclaims"
	"github.com/panelbot/panelbot/internal/panel"
)

const (
	// fetchEvery spaces credential fetches: Pelican throttles the endpoint
	// to 5 a minute per server. Tokens shorter than a minute (tests, odd
	// hosts) are fetched up to 4 times per lifetime instead.
	fetchEvery = 12 * time.Second
	// fetchTimeout bounds one credentials request.
	fetchTimeout = 30 * time.Second
	// maxMargin is the most a token is renewed ahead of its exp.
	maxMargin = time.Minute
)

// tokenCache holds the current websocket credentials. A session's renewal
// fetches from a goroutine of its own, so it takes a lock.
type tokenCache struct {
	src Credentialer
	id  string
	clk clock.Clock
	lim *rate.Limiter

	mu      sync.Mutex
	cur     panel.SocketCredentials
	life    time.Duration // the token's lifetime, exp − iat (or − fetch time)
	have    bool
	fetched time.Time
}

func newTokenCache(src Credentialer, id string, clk clock.Clock) *tokenCache {
	return &tokenCache{src: src, id: id, clk: clk, lim: rate.NewLimiter(rate.Every(fetchEvery), 1)}
}

// get returns credentials: the cached ones while they are far enough from
// expiry, unless force asks for a new token. fresh says whether they were
// fetched just now: a node that refuses a fresh token will not accept a
// retry on the same socket.
func (t *tokenCache) get(ctx context.Context, force bool) (c panel.SocketCredentials, fresh bool, err error) {
	t.mu.Lock()
	if !force && t.usableLocked() {
		c = t.cur
		t.mu.Unlock()
		return c, false, nil
	}
	t.mu.Unlock()
	if err := waitLimit(ctx, t.clk, t.lim); err != nil {
		return panel.SocketCredentials{}, false, err
	}
	fctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	c, err = t.src.SocketCredentials(fctx, t.id)
	if err != nil {
		return panel.SocketCredentials{}, false, err
	}
	if err := checkCredentials(&c); err != nil {
		return panel.SocketCredentials{}, false, &panel.Error{Class: panel.ErrBadResponse, Op: "websocket credentials for " + t.id, Detail: err.Error()}
	}
	t.store(c)
	return c, true, nil
}

// store keeps fetched credentials and learns the token's lifetime from it.
func (t *tokenCache) store(c panel.SocketCredentials) {
	now := t.clk.Now()
	times, _ := jwtclaims.Read(c.Token)
	if c.Expires.IsZero() {
		c.Expires = times.Expires
	}
	born := times.IssuedAt
	if born.IsZero() || born.After(now) {
		born = now
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cur, t.have, t.fetched = c, true, now
	t.life = 0
	if !c.Expires.IsZero() {
		t.life = c.Expires.Sub(born)
		t.lim.SetLimitAt(now, rate.Every(min(fetchEvery, max(t.life/4, 100*time.Millisecond))))
	}
}

// renewAt is when the current token should be replaced: ahead of its exp by
// a quarter of its lifetime, at most a minute. Zero when its exp is unknown
// (the node's `token expiring` will say).
func (t *tokenCache) renewAt() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.have || t.cur.Expires.IsZero() {
		return time.Time{}
	}
	return t.cur.Expires.Add(-t.marginLocked())
}

func (t *tokenCache) marginLocked() time.Duration { return min(maxMargin, t.life/4) }

// invalidate forgets the token (denylisted, refused, or the socket URL failed).
func (t *tokenCache) invalidate() {
	t.mu.Lock()
	t.have = false
	t.mu.Unlock()
}

func (t *tokenCache) usableLocked() bool {
	if !t.have {
		return false
	}
	if t.cur.Expires.IsZero() {
		return true // unknown lifetime: the node will say when it expires
	}
	return t.cur.Expires.Sub(t.clk.Now()) > t.marginLocked()
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
