package httpapi

import (
	"github.com/panelbot/panelbot/internal/trunc"

	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Scrub replaces a secret (the API key or token) in text that came from
// outside, in case the panel or a proxy ever echoes the request; mask says
// what stood there. An empty secret changes nothing.
func Scrub(s, secret, mask string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, mask)
}

// Clip makes s one line of valid text (control characters become spaces,
// invalid UTF-8 "?") and bounds it to n characters and "…", so that a
// hostile answer can neither flood the log nor forge lines in it.
func Clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	return trunc.Runes(s, n+1)
}

// Per says a rate-limit window in a user's words: "per minute", "per
// second", "per 10 seconds".
func Per(window time.Duration) string {
	switch window {
	case time.Minute:
		return "per minute"
	case time.Second:
		return "per second"
	default:
		return "per " + strconv.FormatFloat(window.Seconds(), 'f', -1, 64) + " seconds"
	}
}

// Seconds is a wait in whole seconds, rounded up and at least 1, for "try
// again in N s": a user told 0 would try again at once and fail.
func Seconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }
