package shardsim

import (
	"time"

	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// Clock is a manual clock shared by a test, its client and its simulator,
// so that tokens expire and rate-limit windows turn without real waiting:
// Now reads it, Advance moves it, and Sleep advances it at once (for
// WithSleep), failing only when the context has ended.
type Clock = simkit.Clock

// NewClock starts a clock at a fixed whole second.
func NewClock() *Clock { return simkit.NewClock(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)) }
