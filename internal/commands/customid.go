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

	"github.com/panelbot/panelbot/internal/chart"
	"github.com/panelbot/panelbot/internal/panel"
)

// maxCustomIDLen is Discord's limit on a component's custom ID.
const maxCustomIDLen = 100

// The first segment of a custom ID names what the button does.
const (
	verbPower   = "power"   // power/<key>/<signal>
	verbConfirm = "confirm" // confirm/<key>/<signal>/<unix expiry>
	verbCancel  = "cancel"  // cancel/<key>/<signal>
	verbHistory = "history" // history/<key>/<range>
	// verbScheduleCancel names a schedule, not a server.
	verbScheduleCancel = "schedule-cancel" // schedule-cancel/<id>
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
	rng    chart.Range // history only, in place of the signal
	expiry int64       // unix seconds; confirm only
	// schedule is the schedule's id; schedule-cancel only, which has no
	// key or signal.
	schedule int64
}

// encode writes the custom ID, or fails when it would exceed Discord's limit.
func (c customID) encode() (string, error) {
	if c.verb == verbScheduleCancel {
		return verbScheduleCancel + "/" + strconv.FormatInt(c.schedule, 10), nil
	}
	third := string(c.signal)
	if c.verb == verbHistory {
		third = string(c.rng)
	}
	s := c.verb + "/" + url.PathEscape(c.key) + "/" + third
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
// checked (for history, the range instead of the signal), and anything else
// is errBadCustomID.
func parseCustomID(s string) (customID, error) {
	if len(s) > maxCustomIDLen || !utf8.ValidString(s) {
		return customID{}, fmt.Errorf("%w: too long or not UTF-8", errBadCustomID)
	}
	parts := strings.Split(s, "/")
	if parts[0] == verbScheduleCancel {
		return parseScheduleCancel(parts)
	}
	want := map[string]int{verbPower: 3, verbCancel: 3, verbConfirm: 4, verbHistory: 3}[parts[0]]
	if want == 0 || len(parts) != want {
		return customID{}, fmt.Errorf("%w: unknown verb or wrong number of segments", errBadCustomID)
	}
	key, err := unescapeKey(parts[1])
	if err != nil {
		return customID{}, err
	}
	c := customID{verb: parts[0], key: key}
	if err := c.parseRest(parts[2:]); err != nil {
		return customID{}, err
	}
	return c, nil
}

// parseRest reads the segments after the key: a history button's range
// (only the canonical spelling encode writes), or the signal and, for a
// confirmation, its expiry.
func (c *customID) parseRest(rest []string) error {
	if c.verb == verbHistory {
		if c.rng = chart.Range(rest[0]); !c.rng.Valid() {
			return fmt.Errorf("%w: unknown range", errBadCustomID)
		}
		return nil
	}
	sig, err := panel.ParseSignal(rest[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errBadCustomID, err)
	}
	c.signal = sig
	if c.verb == verbConfirm {
		c.expiry, err = parseExpiry(rest[1])
	}
	return err
}

// parseScheduleCancel reads schedule-cancel/<id>: the id as parseExpiry
// reads a number (plain decimal, no sign, no leading zero).
func parseScheduleCancel(parts []string) (customID, error) {
	if len(parts) != 2 {
		return customID{}, fmt.Errorf("%w: wrong number of segments", errBadCustomID)
	}
	id, err := parseExpiry(parts[1])
	if err != nil {
		return customID{}, fmt.Errorf("%w: bad schedule id", errBadCustomID)
	}
	return customID{verb: verbScheduleCancel, schedule: id}, nil
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
