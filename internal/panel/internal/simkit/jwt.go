package simkit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// SignHS256 returns claims as a compact JWT signed with key under HS256.
// header is the JOSE header exactly as the panel's library writes it (the
// order of its fields differs from one library to another).
func SignHS256(key []byte, header string, claims any) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic("simkit: encoding JWT claims: " + err.Error())
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(payload)
	return signing + "." + enc.EncodeToString(hs256(key, signing))
}

// VerifyHS256 checks that token is a compact JWT signed with key, and
// decodes its claims into v. It checks the signature and the shape only: a
// token's age and kind are the simulator's to judge.
func VerifyHS256(key []byte, token string, v any) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("malformed")
	}
	enc := base64.RawURLEncoding
	sig, err := enc.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, hs256(key, parts[0]+"."+parts[1])) {
		return errors.New("bad signature")
	}
	payload, err := enc.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, v) != nil {
		return errors.New("bad payload")
	}
	return nil
}

func hs256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
