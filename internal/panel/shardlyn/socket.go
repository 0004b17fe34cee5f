package shardlyn

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Socket is what opening one instance's log websocket takes: its address
// and the credential to present, which the document asks for as a bearer
// Authorization header like every other JWT endpoint. The credential is a
// secret; String and the fields never show it.
type Socket struct {
	URL string // ws(s)://host/v1/instances/<id>/logs
	// Expires is when the access token stops being accepted; zero for an
	// API token, which does not age.
	Expires time.Time
	cred    credential
}

// Header is the handshake header carrying the credential.
func (s Socket) Header() http.Header {
	h := http.Header{}
	if s.cred.value != "" {
		h.Set("Authorization", "Bearer "+s.cred.value)
	}
	h.Set("User-Agent", userAgent)
	return h
}

// String hides the credential, so a socket printed by mistake leaks nothing.
func (s Socket) String() string {
	if s.Expires.IsZero() {
		return fmt.Sprintf("socket %s (API token hidden)", s.URL)
	}
	return fmt.Sprintf("socket %s (token hidden, expires %s)", s.URL, s.Expires.Format(time.RFC3339))
}

// LogSocket returns the address of an instance's live-log websocket with a
// credential fresh enough to open it (renewed first when it is old).
func (c *Client) LogSocket(ctx context.Context, id string) (Socket, error) {
	op := "open console " + id
	if err := checkID(op, id); err != nil {
		return Socket{}, err
	}
	ctx, cancel := c.api.Bound(ctx)
	defer cancel()
	cred, err := c.sess.credential(ctx)
	if err != nil {
		return Socket{}, asPanelError(op, err)
	}
	u := *c.base
	u.Scheme = map[string]string{"https": "wss", "http": "ws"}[u.Scheme]
	// Path holds the unescaped form; String escapes it once.
	u.Path += "/v1/instances/" + id + "/logs"
	return Socket{URL: u.String(), Expires: cred.expires, cred: cred}, nil
}

// SocketRefused tells the client that the websocket refused (or closed on)
// this socket's credential, so the next LogSocket renews the token instead
// of handing out the same one.
func (c *Client) SocketRefused(s Socket) { c.sess.reject(s.cred) }

// SocketRenewable reports whether a refused socket credential can be
// replaced (a password login) or not (an API token, which only the owner
// can renew).
func (c *Client) SocketRenewable() bool { return c.auth.usesPassword() }
