package wings

import (
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"

	"github.com/panelbot/panelbot/internal/console"
	"github.com/panelbot/panelbot/internal/panel"
)

// Notices the channel is told, in the bot's own words.
const (
	noticeInstallStarted = "The server's installation has started."
	noticeInstallDone    = "The server's installation has finished."
	noticeDeleted        = "The node reports that this server has been deleted."
)

// dispatch routes one node event. It runs on the reader goroutine and must
// never block.
//
// `daemon message` and `install output` are relayed as lines, prefixed
// "[daemon] " and "[install] ", because staff want to see them; the node does
// not replay them, so they bypass the deduplication. Unknown events are
// ignored: nodes add events over time.
func (c *conn) dispatch(f frame) {
	r := c.r
	now := r.s.clock.Now()
	switch f.Event {
	case "console output":
		r.lines.line(f.arg(), now)
	case "status":
		r.onStatus(f.arg(), now)
	case "stats":
		r.onStats(f.arg(), now, &c.resync)
	case "auth success":
		c.onAuthSuccess()
	case "token expiring":
		c.toCtrl(ctrlMsg{kind: ctrlExpiring})
	case "token expired":
		c.toCtrl(ctrlMsg{kind: ctrlExpired})
	case "jwt error":
		// Whatever the reason, the node sent this instead of an event.
		c.lost.Store(true)
		c.coalesce(&c.jwtPending, ctrlMsg{kind: ctrlJWT, text: f.arg()})
	case "throttled":
		c.coalesce(&c.throttled, ctrlMsg{kind: ctrlThrottled, text: f.arg()})
	default:
		c.dispatchOther(f, now)
	}
}

// onAuthSuccess starts holding lines for a replay when one is due: on a new
// connection, and whenever jwt errors took the place of events since the last
// success (the replay is how they are recovered). The state known here is no
// guide: a server that started while the token was invalid still looks
// offline, its `status` having become a jwt error too; a node that really is
// offline replays nothing and the hold ends quietly. Deciding here, on the
// reader, ties the hold to the exact point in the stream where the new token
// took effect.
func (c *conn) onAuthSuccess() {
	first := c.wantBacklog.Swap(false)
	lost := c.lost.Swap(false)
	hold := first || lost
	if hold {
		c.r.lines.startHold()
	}
	// A re-auth brings no `status`, and one sent while the token was invalid
	// became a jwt error: the state is read again from a `stats` answer.
	resync := lost && !first
	if resync {
		c.resync.Store(true)
	}
	c.toCtrl(ctrlMsg{kind: ctrlAuthOK, backlog: hold, resync: resync})
}

func (c *conn) dispatchOther(f frame, now time.Time) {
	q := c.r.q
	switch f.Event {
	case "daemon error":
		c.log.Warn("the node reported an error", "detail", f.arg())
	case "daemon message":
		q.push(console.Event{Kind: console.KindLine, Time: now, Text: "[daemon] " + f.arg()})
	case "install output":
		q.push(console.Event{Kind: console.KindLine, Time: now, Text: "[install] " + f.arg()})
	case "install started":
		q.push(console.Event{Kind: console.KindNotice, Time: now, Text: noticeInstallStarted})
	case "install completed":
		q.push(console.Event{Kind: console.KindNotice, Time: now, Text: noticeInstallDone})
	case "deleted":
		q.push(console.Event{Kind: console.KindNotice, Time: now, Text: noticeDeleted})
	default:
		c.log.Debug("ignoring a node event", "event", f.Event)
	}
}

// onStatus relays a power state change; the node repeats the state after
// every (re)connection, which is not a change and is not relayed.
func (r *run) onStatus(arg string, now time.Time) {
	r.noteState(panel.ParseState(arg), now)
}

// noteState records the power state and relays it when it changed.
func (r *run) noteState(st panel.State, now time.Time) {
	s := r.s
	s.mu.Lock()
	changed := st != s.state
	s.state = st
	if s.haveLatest {
		s.latest.State = st
	}
	s.mu.Unlock()
	if changed {
		r.q.push(console.Event{Kind: console.KindStatus, Time: now, State: st})
	}
}

// onStats keeps the latest figures. With resync set (a re-auth after lost
// events), the state they carry is taken as a status, since a status change
// may have been among the events the node replaced with jwt errors.
func (r *run) onStats(arg string, now time.Time, resync *atomic.Bool) {
	res, err := parseStats(arg)
	if err != nil {
		r.s.log.Debug("ignoring unreadable stats from the node", "error", err)
		return
	}
	if res.State != panel.StateUnknown && resync.Swap(false) {
		r.noteState(res.State, now)
	}
	s := r.s
	s.mu.Lock()
	s.latest, s.latestAt, s.haveLatest = res, now, true
	s.mu.Unlock()
	r.q.push(console.Event{Kind: console.KindStats, Time: now, Stats: &res})
}

// wireStats is the node's `stats` payload.
type wireStats struct {
	MemoryBytes      int64   `json:"memory_bytes"`
	MemoryLimitBytes int64   `json:"memory_limit_bytes"`
	CPUAbsolute      float64 `json:"cpu_absolute"`
	Network          struct {
		RxBytes int64 `json:"rx_bytes"`
		TxBytes int64 `json:"tx_bytes"`
	} `json:"network"`
	Uptime    int64  `json:"uptime"` // milliseconds
	State     string `json:"state"`
	DiskBytes int64  `json:"disk_bytes"`
}

// parseStats turns the node's stats JSON into panel.Resources.
func parseStats(s string) (panel.Resources, error) {
	var w wireStats
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return panel.Resources{}, err
	}
	if w.MemoryBytes < 0 || w.MemoryLimitBytes < 0 || w.CPUAbsolute < 0 || w.DiskBytes < 0 ||
		w.Network.RxBytes < 0 || w.Network.TxBytes < 0 || w.Uptime < 0 {
		return panel.Resources{}, errors.New("stats carry a negative figure")
	}
	return panel.Resources{
		State: panel.ParseState(w.State), Live: true,
		Uptime:     time.Duration(w.Uptime) * time.Millisecond,
		CPUPercent: w.CPUAbsolute, MemoryBytes: w.MemoryBytes, MemoryLimitBytes: w.MemoryLimitBytes,
		DiskBytes: w.DiskBytes, NetworkRxBytes: w.Network.RxBytes, NetworkTxBytes: w.Network.TxBytes,
	}, nil
}
