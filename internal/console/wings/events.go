package wings

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// Notices the channel is told, in the bot's own words.
const (
	noticeInstallStarted = "The server's installation has started."
	noticeInstallDone    = "The server's installation has finished."
	noticeDeleted        = "The node reports that this server has been deleted."
)

func (ss *session) onStatus(arg string) {
	ss.markStreaming()
	ss.state = panel.ParseState(arg)
	ss.r.sink.Status(ss.state)
}

// onStats passes the figures on. After lost events (resync), the state they
// carry is taken as a status, since a status change may have been among
// the events the node replaced with jwt errors.
func (ss *session) onStats(arg string) {
	res, err := parseStats(arg)
	if err != nil {
		ss.s.log.Debug("ignoring unreadable stats from the node", "error", err)
		return
	}
	ss.markStreaming()
	if ss.resync && res.State != panel.StateUnknown {
		ss.resync = false
		ss.onStatus(string(res.State))
	}
	ss.r.sink.Stats(res)
}

// other relays `daemon message` and `install output` as lines, prefixed,
// because staff want to see them (the node does not replay them, so they
// bypass the aligner), and turns the install and deletion events into
// notices. Unknown events are ignored: nodes add events over time.
func (ss *session) other(f frame) {
	sink := ss.r.sink
	switch f.Event {
	case "daemon message":
		sink.Line("[daemon] " + f.arg())
	case "install output":
		sink.Line("[install] " + f.arg())
	case "install started":
		sink.Notice(noticeInstallStarted)
	case "install completed":
		sink.Notice(noticeInstallDone)
	case "deleted":
		sink.Notice(noticeDeleted)
	default:
		ss.s.log.Debug("ignoring a node event", "event", f.Event)
	}
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
