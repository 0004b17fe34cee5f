package wingssim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// The jwt error texts Wings sends, word for word, so that a client written
// against the simulator reacts to the same strings it will meet on a real node.
var (
	errNoJWT        = errors.New("jwt: no jwt present")
	errNoConnect    = errors.New("jwt: missing connect permission")
	errUUIDMismatch = errors.New("jwt: server uuid mismatch")
	errDenylisted   = errors.New("jwt: created too far in past (denylist)")
	errExpired      = errors.New("jwt: exp claim is invalid")
	// errScope is the Pelican check for a token minted for another purpose.
	errScope = errors.New("jwt: invalid scope")
	// errSignature and errMalformed are not jwt errors for Wings: they come
	// back as a generic daemon error.
	errSignature = errors.New("jwt: HMAC verification failed")
	errMalformed = errors.New("jwt: malformed token")
)

// claims are the websocket token's payload as the panel mints it.
type claims struct {
	Issuer      string   `json:"iss"`
	Audience    []string `json:"aud"`
	ID          string   `json:"jti"`
	IssuedAt    int64    `json:"iat"`
	NotBefore   int64    `json:"nbf"`
	Expires     int64    `json:"exp"`
	ServerUUID  string   `json:"server_uuid"`
	UserUUID    string   `json:"user_uuid"`
	Permissions []string `json:"permissions"`
	UniqueID    string   `json:"unique_id"`
	Scope       string   `json:"scope,omitempty"`
}

// can reports whether the token grants perm; "*" grants everything.
func (c *claims) can(perm string) bool {
	return slices.Contains(c.Permissions, "*") || slices.Contains(c.Permissions, perm)
}

// isJWTError tells the errors Wings answers with `jwt error` apart from the
// ones it answers with a generic `daemon error`.
func isJWTError(err error) bool {
	for _, e := range []error{errNoJWT, errNoConnect, errUUIDMismatch, errDenylisted, errExpired, errScope} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// signJWT encodes c as an HS256 JWT, as the panel does with the node's secret.
func signJWT(secret []byte, c claims) string {
	payload, _ := json.Marshal(c) // a struct of strings and ints always marshals
	unsigned := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac(secret, unsigned))
}

func mac(secret []byte, s string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// parseJWT verifies the signature and algorithm and decodes the claims. The
// expiry is checked by the caller, who owns the (simulated) clock.
func parseJWT(secret []byte, token string) (*claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errMalformed
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil || hdr.Alg != "HS256" {
		return nil, errMalformed
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac(secret, parts[0]+"."+parts[1])) {
		return nil, errSignature
	}
	var c claims
	if err := decodeSegment(parts[1], &c); err != nil {
		return nil, errMalformed
	}
	return &c, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// expired follows gbrlsnchs/jwt's ExpirationTimeValidator used by Wings: a
// token is still valid during the very second of its exp.
func (c *claims) expired(now time.Time) bool {
	return now.After(time.Unix(c.Expires, 0))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
