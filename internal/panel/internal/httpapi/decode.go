package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxIDDigits bounds a numeric ID so that it fits an int64 on both sides.
const maxIDDigits = 18

// ParseNumericID reads an ID that a panel gives as a number: decimal digits
// only (no sign, space or fraction), at most maxIDDigits of them. It is
// checked before the ID goes into a URL or a body.
func ParseNumericID(s string) (uint64, bool) {
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil || len(s) > maxIDDigits || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	return n, true
}

// NumericID is an ID read from a panel's JSON as a number or, to be
// lenient, a string of digits, kept in its canonical decimal form.
type NumericID string

// UnmarshalJSON accepts 12 or "12" and nothing else; anything else is a
// *BadID.
func (n *NumericID) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, ok := ParseNumericID(s)
	if !ok {
		return &BadID{Raw: Clip(s, 24)}
	}
	*n = NumericID(strconv.FormatUint(v, 10))
	return nil
}

// BadID says which value could not be a numeric ID; Raw is bounded and free
// of control characters, so it may be quoted.
type BadID struct{ Raw string }

func (e *BadID) Error() string { return fmt.Sprintf("id %s is not a number", e.Raw) }

// JSONProblem describes a decoding failure without quoting the body (which
// may echo a secret): where the syntax broke, or which field had the wrong
// type.
func JSONProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q has the wrong type (%s)", te.Field, te.Value)
	default:
		return "malformed or truncated JSON"
	}
}

// DecodeObject decodes an error answer into v. It is false when the body is
// no JSON object — an HTML page from a proxy or a wrong URL — which says
// that something other than the API answered.
func DecodeObject(body []byte, v any) bool {
	trimmed := bytes.TrimSpace(body)
	return len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, v) == nil
}
