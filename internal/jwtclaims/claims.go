// Package jwtclaims reads the time claims of a JWT without verifying it: the
// bot holds no key, and only needs to know when to renew a token before it
// runs out. It is the one place a token's payload is read.
package jwtclaims

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// maxPayload bounds the payload decoded, so a hostile token costs little.
const maxPayload = 8 << 10

// Times are a token's issue and expiry times; zero when absent.
type Times struct {
	IssuedAt time.Time
	Expires  time.Time
}

// Read returns the token's iat and exp. ok is false when the token is not a
// three-part JWT with a readable payload and a plausible exp.
func Read(token string) (t Times, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > maxPayload {
		return Times{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Times{}, false
	}
	var c struct {
		Exp json.Number `json:"exp"`
		Iat json.Number `json:"iat"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return Times{}, false
	}
	exp, ok := unix(c.Exp)
	if !ok {
		return Times{}, false
	}
	iat, _ := unix(c.Iat)
	return Times{IssuedAt: iat, Expires: exp}, true
}

// Expiry is Read's exp alone; zero when it cannot be read.
func Expiry(token string) time.Time {
	t, _ := Read(token)
	return t.Expires
}

// unix reads a NumericDate; beyond year ~5000 is not a real time.
func unix(n json.Number) (time.Time, bool) {
	f, err := n.Float64()
	if err != nil || f <= 0 || f > 1e11 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}
