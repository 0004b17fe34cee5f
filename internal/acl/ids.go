package acl

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Snowflake lengths: Discord IDs are 64-bit numbers written in decimal; the
// oldest ones still in use have 17 digits and the type cannot exceed 20.
const (
	minIDLen = 17
	maxIDLen = 20
	// shownIDLen is the longest bad value an error repeats, so a token
	// pasted into the wrong variable is not printed back.
	shownIDLen = 24
)

// ParseIDs reads a comma-separated list of Discord IDs (roles or users), as the
// config loader finds it in ACL_ADMIN_ROLES and friends. Blanks around commas
// and empty items are ignored, duplicates are dropped, and anything that is not
// a snowflake is an error naming the bad value, because a typo in an ACL
// variable must stop the bot rather than silently lock everyone out.
func ParseIDs(s string) ([]string, error) {
	var ids []string
	seen := make(map[string]bool)
	for _, item := range strings.Split(s, ",") {
		id := strings.TrimSpace(item)
		if id == "" || seen[id] {
			continue
		}
		if err := ValidateID(id); err != nil {
			return nil, err
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return ids, nil
}

// ValidateID checks that id is a Discord snowflake: 17 to 20 decimal digits
// that fit in 64 bits. The error repeats the value (shortened) and says where
// to find the right one.
func ValidateID(id string) error {
	ok := len(id) >= minIDLen && len(id) <= maxIDLen && allDigits(id)
	if ok {
		_, err := strconv.ParseUint(id, 10, 64)
		ok = err == nil
	}
	if !ok {
		return fmt.Errorf("%s is not a Discord ID: use the 17-20 digit number that Discord's Developer Mode copies with \"Copy ID\"", shown(id))
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// shown quotes a bad value for an error message when it is short enough to
// be a mistyped ID; a longer value is more likely a secret pasted into the
// wrong variable, so only its length is given, not one character of it.
func shown(v string) string {
	if n := utf8.RuneCountInString(v); n > shownIDLen {
		return fmt.Sprintf("a value of %d characters", n)
	}
	return strconv.Quote(v)
}
