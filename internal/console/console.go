// Package console relays a game server's live console into a Discord
// channel. A Source (one per panel protocol, in a subpackage such as wings)
// reads the node's stream and hands what it reads to a Sink, the Relay,
// whose channel sender holds the one bounded queue between the node and
// Discord: a slow Discord never stalls the node's reader, and nothing is
// dropped before that queue's disk bound.
package console

import (
	"context"

	"github.com/panelbot/panelbot/internal/panel"
)

// Sink takes one server's console as its Source reads it. Its methods never
// block on Discord: a Source calls them from the goroutine that owns its
// connection.
type Sink interface {
	// Line is one console line, as the node sent it (ANSI codes and all;
	// the channel's sender sanitises), new and in order.
	Line(text string)
	// Notice is something the channel must be told in the bot's own words:
	// a reconnect, lines that may be missing, a permanent failure.
	Notice(text string)
	// Status is the server's power state; repeats are fine.
	Status(st panel.State)
	// Stats is a resource snapshot.
	Stats(r panel.Resources)
}

// Source streams one server's console. Stream feeds sink until ctx is
// cancelled or a failure that cannot heal (suspended server, credentials
// refused), which it returns after a Notice that says why. It reconnects
// and re-authenticates by itself and never hands over a line twice.
type Source interface {
	Stream(ctx context.Context, sink Sink) error
}
