package commands

import (
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// PowerNoter hears of every power signal the bot is about to send, so that
// the alerts can tell a server the bot stopped from one that crashed.
type PowerNoter interface {
	PowerNoted(key string, s panel.Signal, at time.Time)
}

// nopPowerNoter is the default: nobody listens.
type nopPowerNoter struct{}

func (nopPowerNoter) PowerNoted(string, panel.Signal, time.Time) {}

// powerNoterOr returns n, or the no-op when it is nil.
func powerNoterOr(n PowerNoter) PowerNoter {
	if n == nil {
		return nopPowerNoter{}
	}
	return n
}
