package shardlyn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/jwtclaims"
	"github.com/panelbot/panelbot/internal/panel"
)

// tokenResponse is the answer of login and refresh ("same format as login").
// A login to an MFA account answers mfa_required instead of tokens.
type tokenResponse struct {
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token"`
	ExpiresIn    flexNum `json:"expires_in"`
	TokenType    string  `json:"token_type"`
	MFARequired  bool    `json:"mfa_required"`
}

func (tr tokenResponse) check(op string) error {
	if tr.AccessToken == "" {
		return &panel.Error{Class: panel.ErrBadResponse, Op: op, Detail: "answer carries no access_token"}
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return &panel.Error{Class: panel.ErrBadResponse, Op: op, Detail: "token_type is not Bearer"}
	}
	return nil
}

// tokenLifetime reads how long the access token lives from the answer
// (expires_in, relative, so immune to clock skew) and from the JWT (exp-iat),
// trusting the shorter; a JWT exp alone is measured against our clock.
func tokenLifetime(tr tokenResponse, now time.Time) (time.Duration, error) {
	life := secondsDuration(float64(tr.ExpiresIn))
	if jt, ok := jwtclaims.Read(tr.AccessToken); ok {
		iat, exp := jt.IssuedAt, jt.Expires
		switch {
		case !iat.IsZero():
			if d := exp.Sub(iat); d > 0 && (life <= 0 || d < life) {
				life = d
			}
		case life <= 0:
			life = exp.Sub(now)
		}
	}
	if life <= 0 {
		return 0, &panel.Error{Class: panel.ErrBadResponse, Op: "log in",
			Detail: "the token answer says neither expires_in nor a JWT exp in the future"}
	}
	return life, nil
}

func secondsDuration(s float64) time.Duration {
	if math.IsNaN(s) || s <= 0 {
		return 0
	}
	if s > float64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}

// flexNum accepts a JSON number, a numeric string or null, because panels
// are inconsistent about how they spell figures.
type flexNum float64

// UnmarshalJSON accepts a number, a numeric string or null.
func (n *flexNum) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(strings.TrimSpace(s))
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Errorf("not a number: %.20q", b)
	}
	*n = flexNum(v)
	return nil
}

// flexID accepts an id given as a string or a number.
type flexID string

// UnmarshalJSON accepts a string, a number or null.
func (id *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("id is neither a string nor a number")
	}
	*id = flexID(n.String())
	return nil
}

// decodeList finds the array in a list answer. The document gives no list
// shape, so a bare array and the usual wrappers are all accepted.
func decodeList(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	var list []json.RawMessage
	if len(body) > 0 && body[0] == '[' {
		err := json.Unmarshal(body, &list)
		return list, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, errors.New("answer is neither a list nor an object")
	}
	for _, key := range []string{"instances", "data", "items", "results"} {
		if raw, ok := obj[key]; ok {
			err := json.Unmarshal(raw, &list)
			return list, err
		}
	}
	return nil, errors.New("answer object holds no instance list")
}
