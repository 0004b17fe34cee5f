package httpapi

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseNumericID(t *testing.T) {
	for _, ok := range []string{"0", "7", "007", "123456789012345678"} {
		_, got := ParseNumericID(ok)
		assert.True(t, got, ok)
	}
	for _, bad := range []string{"", "abc", "1a", "-1", "+1", " 1", "1.0", "１", "1234567890123456789", "0x1"} {
		_, got := ParseNumericID(bad)
		assert.False(t, got, bad)
	}
	n, _ := ParseNumericID("42")
	assert.Equal(t, uint64(42), n)
}

func TestNumericIDAcceptsNumbersAndDigitStrings(t *testing.T) {
	var v struct{ ID NumericID }
	require.NoError(t, json.Unmarshal([]byte(`{"ID": 12}`), &v))
	assert.Equal(t, NumericID("12"), v.ID)
	require.NoError(t, json.Unmarshal([]byte(`{"ID": "007"}`), &v))
	assert.Equal(t, NumericID("7"), v.ID, "kept in canonical form")

	for _, bad := range []string{`1.5`, `-1`, `"12a"`, `true`, `"\u0000x"`, `1e3`} {
		err := json.Unmarshal([]byte(`{"ID": `+bad+`}`), &v)
		var b *BadID
		require.True(t, errors.As(err, &b), "%s: %v", bad, err)
		assert.NotContains(t, b.Raw, "\x00", "quotable: no control characters")
	}
}

func TestJSONProblemNeverQuotesTheBody(t *testing.T) {
	var v struct{ N int }
	err := json.Unmarshal([]byte(`{"N": "secret"}`), &v)
	assert.Equal(t, `field "N" has the wrong type (string)`, JSONProblem(err))
	err = json.Unmarshal([]byte(`{"N": secret}`), &v)
	assert.Equal(t, "syntax error at byte 7", JSONProblem(err))
	assert.Equal(t, "malformed or truncated JSON", JSONProblem(errors.New("secret")))
}

func TestDecodeObject(t *testing.T) {
	var v struct{ Message string }
	assert.True(t, DecodeObject([]byte(" {\"message\":\"x\"}\n"), &v))
	assert.Equal(t, "x", v.Message)
	for _, body := range []string{"", "<html>", "[]", `"x"`, "{broken"} {
		assert.False(t, DecodeObject([]byte(body), &v), body)
	}
}
