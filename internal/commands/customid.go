package commands

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/panelbot/panelbot/internal/panel"
)

// maxCustomIDLen is Discord's limit on a component's custom ID.
const maxCustomIDLen = 100

// The first segment of a custom ID names what the button does.
const (
	verbPower   = "power"   // power/<key>/<signal>
	verbConfirm = "confirm" // confirm/<key>/<signal>/<unix expiry>
	verbCancel  = "cancel"  // cancel/<key>/<signal>
)

// errBadCustomID is what every malformed custom ID matches; the user is told
// the button is outdated, the log gets the detail.
var errBadCustomID = errors.New("malformed custom ID")

// customID is a button's meaning. The target key ("<panel>/<id>") is
// path-escaped in the ID (url.PathEscape, so its "/" becomes "%2F"), which
// keeps the segments unambiguous whatever the server ID holds.
type customID struct {
	verb   string
	key    string
	signal panel.Signal
	expiry int64 // unix seconds; confirm only
}

// encode writes the custom ID, or fails when it would exceed Discord's limit.
func (c customID) encode() (string, error) {
	s := c.verb + "/" + url.PathEscape(c.key) + "/" + string(c.signal)
	if c.verb == verbConfirm {
		s += "/" + strconv.FormatInt(c.expiry, 10)
	}
	if len(s) > maxCustomIDLen {
		return "", fmt.Errorf("custom ID for %s is %d characters, over Discord's %d", c.key, len(s), maxCustomIDLen)
	}
	return s, nil
}

// parseCustomID is the one place a custom ID coming back from Discord is
// read. It never trusts it: length, segment count, escaping (only the
// canonical form encode writes), key shape, signal and expiry are all
// checked, and anything else is errBadCustomID.
func parseCustomID(s string) (customID, error) {
	if len(s) > maxCustomIDLen || !utf8.ValidString(s) {
		return customID{}, fmt.Errorf("%w: too long or not UTF-8", errBadCustomID)
	}
	parts := strings.Split(s, "/")
	want := map[string]int{verbPower: 3, verbCancel: 3, verbConfirm: 4}[parts[0]]
	if want == 0 || len(parts) != want {
		return customID{}, fmt.Errorf("%w: unknown verb or wrong number of segments", errBadCustomID)
	}
	key, err := unescapeKey(parts[1])
	if err != nil {
		return customID{}, err
	}
	sig, err := panel.ParseSignal(parts[2])
	if err != nil {
		return customID{}, fmt.Errorf("%w: %v", errBadCustomID, err)
	}
	c := customID{verb: parts[0], key: key, signal: sig}
	if c.verb == verbConfirm {
		if c.expiry, err = parseExpiry(parts[3]); err != nil {
			return customID{}, err
		}
	}
	return c, nil
}

func unescapeKey(seg string) (string, error) {
	key, err := url.PathUnescape(seg)
	if err != nil || url.PathEscape(key) != seg {
		return "", fmt.Errorf("%w: key is not escaped canonically", errBadCustomID)
	}
	panelName, id, ok := strings.Cut(key, "/")
	if !ok || panelName == "" || id == "" || strings.ContainsRune(panelName, ' ') || !utf8.ValidString(key) {
		return "", fmt.Errorf("%w: key is not <panel>/<id>", errBadCustomID)
	}
	if strings.IndexFunc(key, unicode.IsControl) >= 0 {
		return "", fmt.Errorf("%w: key holds control characters", errBadCustomID)
	}
	return key, nil
}

// parseExpiry accepts plain decimal unix seconds: no sign, no leading zero,
// at most 12 digits (well past year 30000).
func parseExpiry(seg string) (int64, error) {
	if seg == "" || len(seg) > 12 || seg[0] == '0' || strings.TrimLeft(seg, "0123456789") != "" {
		return 0, fmt.Errorf("%w: bad expiry", errBadCustomID)
	}
	n, err := strconv.ParseInt(seg, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: bad expiry", errBadCustomID)
	}
	return n, nil
}

// expiryTime is the confirm deadline as a time.
func (c customID) expiryTime() time.Time { return time.Unix(c.expiry, 0) }
