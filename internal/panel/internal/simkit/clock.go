// Package simkit is the plumbing the panel simulators share: the test
// server with the record of the requests it received and its being down,
// the controls a simulator hands its tests, failures a test injects, a
// sliding rate-limit window, a dropped connection, JSON answers, random
// keys, and a hand-moved clock. Each simulator keeps the panel's own
// behaviour (routes, bodies, texts, the order of its checks); only what is
// the same for all of them lives here.
package simkit

import (
	"time"

	"github.com/panelbot/panelbot/internal/manualclock"
)

// Clock is the manual clock shared by a test, its client and its
// simulator, so that tokens expire and rate-limit windows turn without
// real waiting.
type Clock = manualclock.Clock

// NewClock starts a clock at start.
func NewClock(start time.Time) *Clock { return manualclock.New(start) }
