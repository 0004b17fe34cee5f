package shardlyn

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// instanceJSON is one instance as the API answers it. The document names the
// endpoints but not the fields; these are the names the Shardlyn guide uses
// (a state such as running, stopped, creating, installing, error; a node),
// with the common aliases accepted.
type instanceJSON struct {
	ID           flexID `json:"id"`
	Name         string `json:"name"`
	WorkloadName string `json:"workload_name"`
	Description  string `json:"description"`
	Status       string `json:"status"`
	State        string `json:"state"`
	NodeID       flexID `json:"node_id"`
	NodeName     string `json:"node_name"`
	Suspended    bool   `json:"suspended"`
}

func decodeInstance(raw []byte) (instanceJSON, error) {
	var in instanceJSON
	if err := json.Unmarshal(raw, &in); err != nil {
		return in, errors.New("instance is not a JSON object")
	}
	if strings.TrimSpace(string(in.ID)) == "" {
		return in, errors.New("instance has no id")
	}
	return in, nil
}

func (in instanceJSON) status() string {
	if in.Status != "" {
		return in.Status
	}
	return in.State
}

// server maps an instance for the bot. The texts are the panel's and are
// shown on Discord: they are made one line and bounded, as every other
// panel kind does, so that a hostile or broken answer cannot flood a reply.
func (in instanceJSON) server() panel.Server {
	state, unusable, suspended := mapStatus(in.status())
	name := in.Name
	if name == "" {
		name = in.WorkloadName
	}
	node := in.NodeName
	if node == "" {
		node = string(in.NodeID)
	}
	return panel.Server{
		ID: string(in.ID), Name: clip(oneLine(name), 100), Description: clip(oneLine(in.Description), 500),
		Node: clip(oneLine(node), 100), Suspended: suspended || in.Suspended, Status: unusable, State: state,
	}
}

func (in instanceJSON) resources() panel.Resources {
	state, _, suspended := mapStatus(in.status())
	return panel.Resources{State: state, Suspended: suspended || in.Suspended}
}

// mapStatus turns Shardlyn's instance state into the bot's power state, the
// word for a condition in which power actions make no sense (unusable), and
// suspension. Unknown words become StateUnknown: shown, never acted upon.
func mapStatus(s string) (state panel.State, unusable string, suspended bool) {
	switch w := strings.ToLower(strings.TrimSpace(s)); w {
	case "running", "healthy":
		return panel.StateRunning, "", false
	case "starting", "restarting":
		return panel.StateStarting, "", false
	case "stopping":
		return panel.StateStopping, "", false
	case "stopped", "exited", "created", "offline", "dead":
		return panel.StateOffline, "", false
	case "creating", "installing", "pending", "migrating", "deleting", "restoring", "transferring":
		return panel.StateOffline, w, false
	case "error", "failed":
		return panel.StateOffline, "error", false
	case "suspended":
		return panel.StateOffline, "suspended", true
	default:
		return panel.StateUnknown, "", false
	}
}

// hasStats: only a container that exists and runs has live figures; asking
// for the others would cost a request to learn nothing.
func hasStats(s panel.State) bool {
	return s == panel.StateRunning || s == panel.StateStarting || s == panel.StateStopping
}

// decodeStats reads the "real-time stats" answer. Its shape is not in the
// document; the fields the dashboard shows (CPU %, memory vs limit, network
// I/O, uptime) are read under their usual names, flat or nested.
func decodeStats(body []byte) (panel.Resources, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimSpace(body), &m); err != nil || m == nil {
		return panel.Resources{}, errors.New("stats answer is not a JSON object")
	}
	if inner, ok := m["stats"]; ok {
		if err := json.Unmarshal(inner, &m); err != nil || m == nil {
			return panel.Resources{}, errors.New("stats field is not a JSON object")
		}
	}
	mem, net := nested(m, "memory"), nested(m, "network")
	r := panel.Resources{
		CPUPercent:       math.Max(0, pick(m, "cpu_percent", "cpu_usage", "cpu")),
		MemoryBytes:      bytesOf(pick(m, "memory_bytes", "memory_usage", "memory_used"), pick(mem, "usage", "used", "bytes")),
		MemoryLimitBytes: bytesOf(pick(m, "memory_limit_bytes", "memory_limit"), pick(mem, "limit")),
		DiskBytes:        bytesOf(pick(m, "disk_bytes", "disk_usage", "disk_used")),
		DiskLimitBytes:   bytesOf(pick(m, "disk_limit_bytes", "disk_limit")),
		NetworkRxBytes:   bytesOf(pick(m, "network_rx_bytes", "rx_bytes"), pick(net, "rx_bytes", "rx")),
		NetworkTxBytes:   bytesOf(pick(m, "network_tx_bytes", "tx_bytes"), pick(net, "tx_bytes", "tx")),
		Uptime:           secondsDuration(pick(m, "uptime_seconds", "uptime")),
	}
	if r.Uptime > 100*365*24*time.Hour {
		r.Uptime = 0 // a timestamp mistaken for seconds, not an uptime
	}
	return r, nil
}

// pick returns the first of keys holding a number; absent, null or
// non-numeric values count as zero, because one odd figure must not hide
// the others.
func pick(m map[string]json.RawMessage, keys ...string) float64 {
	for _, k := range keys {
		raw, ok := m[k]
		if !ok {
			continue
		}
		var n flexNum
		if json.Unmarshal(raw, &n) == nil {
			return float64(n)
		}
	}
	return 0
}

func nested(m map[string]json.RawMessage, key string) map[string]json.RawMessage {
	var inner map[string]json.RawMessage
	if raw, ok := m[key]; ok {
		_ = json.Unmarshal(raw, &inner) // a number there is the flat form, read by pick
	}
	return inner
}

// bytesOf takes the first positive candidate and clamps it into int64.
func bytesOf(candidates ...float64) int64 {
	for _, v := range candidates {
		if v > 0 {
			if v >= math.MaxInt64 {
				return math.MaxInt64
			}
			return int64(v)
		}
	}
	return 0
}
