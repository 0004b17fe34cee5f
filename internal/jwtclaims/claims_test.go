package jwtclaims

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func token(payload string) string {
	return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
}

func TestRead(t *testing.T) {
	got, ok := Read(token(`{"iat":1700000000,"exp":1700000600}`))
	assert.True(t, ok)
	assert.Equal(t, time.Unix(1700000000, 0), got.IssuedAt)
	assert.Equal(t, time.Unix(1700000600, 0), got.Expires)

	got, ok = Read(token(`{"exp":1700000600.5}`))
	assert.True(t, ok, "a fractional exp is still a time")
	assert.True(t, got.IssuedAt.IsZero())

	for _, bad := range []string{"", "a.b", "a.b.c.d", token(`{}`), token(`{"exp":"soon"}`),
		token(`{"exp":-1}`), token(`{"exp":1e30}`), "x.!!!.y", token(`not json`)} {
		_, ok := Read(bad)
		assert.False(t, ok, "%q", bad)
		assert.True(t, Expiry(bad).IsZero())
	}
}

func FuzzRead(f *testing.F) {
	f.Add(token(`{"iat":1,"exp":2}`))
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		if got, ok := Read(s); ok && got.Expires.IsZero() {
			t.Fatalf("ok with no expiry for %q", s)
		}
	})
}
