package alert

import (
	"time"

	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/watch"
)

// Notice is one message about one episode.
type Notice struct {
	Channel   string
	Condition store.AlertCondition
	Recovered bool      // false: the episode opened; true: it is over
	Subject   string    // the server's label, or "panel <name>"
	Since     time.Time // when the episode began
	Until     time.Time // when it ended (Recovered only)
	Detail    string    // the figures behind it, "" when none
	// Tail holds a crashed server's last console lines, sanitised; nil
	// when the server is not relayed.
	Tail []string
}

// due returns the notice the episode still owes its channel: the opening
// until one went out, then, once it recovered, the recovery. An episode
// whose opening never went out ends silently: nobody was told of it.
func (l *level) due() (Notice, bool) {
	n := l.note
	n.Condition, n.Since = l.ep.Condition, l.ep.Since
	switch {
	case l.ep.Since.IsZero() || n.Channel == "":
		return Notice{}, false
	case l.open():
		return n, l.ep.Notified.IsZero()
	case l.ep.Notified.IsZero():
		return Notice{}, false
	}
	n.Recovered, n.Until, n.Tail = true, l.ep.Recovered, nil
	return n, l.ep.Notified.Before(l.ep.Recovered)
}

// roundTime is when a round was taken: its latest snapshot's time.
func roundTime(round []watch.Snapshot) time.Time {
	var t time.Time
	for _, s := range round {
		if s.At.After(t) {
			t = s.At
		}
	}
	return t
}
