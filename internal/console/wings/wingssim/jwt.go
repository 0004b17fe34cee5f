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
	"strconv"
	"strings"
	"time"
)

// The jwt error texts Wings sends, word for word, so that a client written
// against the simulator reacts to the same strings it will meet on a node.
var (
	errNoJWT        = errors.New("jwt: no jwt present")
	errNoConnect    = errors.New("jwt: missing connect permission")
	errUUIDMismatch = errors.New("jwt: server uuid mismatch")
	errDenylisted   = errors.New("jwt: created too far in past (denylist)")
	errExpired      = errors.New("jwt: exp claim is invalid")
	// errSignature and errMalformed are not jwt errors for Wings: they come
	// back as a generic daemon error.
	errSignature = errors.New("jwt: HMAC verification failed")
	errMalformed = errors.New("jwt: malformed token")
)

// genericError is what a `daemon error` says to a user without
// admin.websocket.errors.
const genericError = "an unexpected error was encountered while handling this request"

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
	// noIat and noExp record claims missing from a parsed token.
	noIat, noExp bool
}

// can is Wings' HasPermission: "*" grants everything but admin.* permissions.
func (c *claims) can(perm string) bool {
	return slices.Contains(c.Permissions, perm) ||
		!strings.HasPrefix(perm, "admin") && slices.Contains(c.Permissions, "*")
}

// expired is gbrlsnchs/jwt's ExpirationTimeValidator as Wings uses it: the
// time is cut to whole seconds, so a token works until about exp+1 s; a
// token without exp never validates.
func (c *claims) expired(now time.Time) bool {
	return c.noExp || now.Unix() > c.Expires
}

// denylisted is Wings' Denylisted: a token without iat, or issued before the
// node booted (boot has sub-second precision, iat has not, so a token of the
// boot's own second is refused too).
func (c *claims) denylisted(boot time.Time) bool {
	return c.noIat || c.IssuedAt <= boot.Unix()
}

// isJWTError tells the errors Wings answers with `jwt error` apart from the
// ones it answers with a generic `daemon error`.
func isJWTError(err error) bool {
	for _, e := range []error{errNoJWT, errNoConnect, errUUIDMismatch, errDenylisted, errExpired} {
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
	return signPayload(secret, payload)
}

// signPayload signs any payload, so tests can mint tokens a panel never would.
func signPayload(secret, payload []byte) string {
	unsigned := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac(secret, unsigned))
}

func mac(secret []byte, s string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// parseJWT verifies the signature and algorithm and decodes the claims
// strictly: a fractional iat or exp does not decode, as in Wings. The time
// claims are judged by the caller, who owns the clock.
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
	return decodeClaims(parts[1])
}

func decodeClaims(seg string) (*claims, error) {
	var raw struct {
		claims
		IssuedAt *json.Number `json:"iat"`
		Expires  *json.Number `json:"exp"`
	}
	if err := decodeSegment(seg, &raw); err != nil {
		return nil, errMalformed
	}
	c := raw.claims
	var ok bool
	if c.IssuedAt, c.noIat, ok = integer(raw.IssuedAt); !ok {
		return nil, errMalformed
	}
	if c.Expires, c.noExp, ok = integer(raw.Expires); !ok {
		return nil, errMalformed
	}
	return &c, nil
}

// integer reads an optional integer claim; ok is false for a fraction.
func integer(n *json.Number) (v int64, missing, ok bool) {
	if n == nil {
		return 0, true, true
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	return v, false, err == nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
