// Package trunc shortens text for logs, errors and Discord without ever
// splitting a UTF-8 character.
package trunc

import "unicode/utf8"

// Runes returns s cut to at most n runes, with "…" (counted in n) when it
// was cut. n < 1 yields "".
func Runes(s string, n int) string {
	if n < 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}
