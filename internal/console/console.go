// Package console relays a game server's live console into a Discord
// channel. A Source (one per panel protocol, in a subpackage such as wings)
// turns the node's stream into Events; the relay hands them to a Sink that
// owns the Discord channel's pace. The two sides meet only through a bounded
// queue, so a slow Discord never stalls the node's reader.
package console

import (
	"context"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// Kind says what an Event carries.
type Kind int

// The kinds of Event.
const (
	// KindLine is one console line, as the node sent it (ANSI codes and all;
	// the sink sanitises).
	KindLine Kind = iota + 1
	// KindStatus is a power state change.
	KindStatus
	// KindStats is a resource snapshot; the relay keeps the latest for
	// /status and does not post it.
	KindStats
	// KindNotice is something the channel must be told in the bot's own
	// words: a reconnect, lines lost, a permanent failure.
	KindNotice
)

// Event is one thing that happened on a server's console.
type Event struct {
	Kind  Kind
	Time  time.Time
	Text  string           // the line (KindLine) or the notice (KindNotice)
	State panel.State      // KindStatus
	Stats *panel.Resources // KindStats
}

// Source streams one server's console. Stream sends events until ctx is
// cancelled or a failure that cannot heal (suspended server, credentials
// refused), which it returns after sending a KindNotice that says why. It
// reconnects and re-authenticates by itself and never sends a line twice.
type Source interface {
	Stream(ctx context.Context, events chan<- Event) error
}
