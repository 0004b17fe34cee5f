package serverprism

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// mib converts the documented *_mb limits to bytes.
const mib = 1 << 20

// listItem is one service of GET /servers.
type listItem struct {
	id      string
	product string
	status  string // service_status: "active" or "suspended"
}

// decodeList reads {"data": [{"id": 1234, "product": "…", "service_status":
// "active"}, …]}. Unknown keys are ignored, as ServerPrism asks; a missing
// data array or a service without a numeric id is an error, since a
// silently empty list would say "no servers".
func decodeList(body []byte) ([]listItem, error) {
	var resp struct {
		Data *[]struct {
			ID            *httpapi.NumericID `json:"id"`
			Product       string             `json:"product"`
			ServiceStatus string             `json:"service_status"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("undecodable server list: %s", jsonProblem(err))
	}
	if resp.Data == nil {
		return nil, errors.New("the server list has no data array")
	}
	out := make([]listItem, 0, len(*resp.Data))
	for i, s := range *resp.Data {
		if s.ID == nil {
			return nil, fmt.Errorf("server %d of the list has no numeric id", i+1)
		}
		out = append(out, listItem{id: string(*s.ID), product: httpapi.Clip(strings.TrimSpace(s.Product), 100),
			status: httpapi.Clip(strings.ToLower(strings.TrimSpace(s.ServiceStatus)), 40)})
	}
	return out, nil
}

// details is what GET /servers/{id} tells.
type details struct {
	name   string
	limits panel.Limits
	res    panel.Resources
}

// detailsBody is GET /servers/{id}'s answer. Numbers are read as float64 so
// that 4096.0 or 1e9 does not fail the whole answer.
type detailsBody struct {
	Data *struct {
		Name          string `json:"name"`
		ServiceStatus string `json:"service_status"`
		Limits        *struct {
			MemoryMB   float64 `json:"memory_mb"`
			DiskMB     float64 `json:"disk_mb"`
			CPUPercent float64 `json:"cpu_percent"`
		} `json:"limits"`
		Resources *liveBlock `json:"resources"`
	} `json:"data"`
}

// decodeDetails maps the details answer. A null resources block is the
// documented "node briefly unreachable": state unknown, Live false.
func decodeDetails(body []byte) (details, error) {
	var b detailsBody
	if err := json.Unmarshal(body, &b); err != nil {
		return details{}, fmt.Errorf("undecodable server details: %s", jsonProblem(err))
	}
	if b.Data == nil {
		return details{}, errors.New("the server details have no data object")
	}
	d := b.Data
	out := details{name: httpapi.Clip(strings.TrimSpace(d.Name), 100)}
	out.res.Suspended = strings.EqualFold(strings.TrimSpace(d.ServiceStatus), "suspended")
	if d.Limits != nil {
		out.limits = panel.Limits{MemoryMB: whole(d.Limits.MemoryMB), DiskMB: whole(d.Limits.DiskMB), CPUPercent: whole(d.Limits.CPUPercent)}
		out.res.MemoryLimitBytes = whole(d.Limits.MemoryMB * mib)
		out.res.DiskLimitBytes = whole(d.Limits.DiskMB * mib)
	}
	out.res.State = panel.StateUnknown
	if r := d.Resources; r != nil {
		r.apply(&out.res)
	}
	return out, nil
}

// liveBlock is the details' "resources" object.
type liveBlock struct {
	CurrentState   string  `json:"current_state"`
	MemoryBytes    float64 `json:"memory_bytes"`
	CPUAbsolute    float64 `json:"cpu_absolute"`
	DiskBytes      float64 `json:"disk_bytes"`
	NetworkRxBytes float64 `json:"network_rx_bytes"`
	NetworkTxBytes float64 `json:"network_tx_bytes"`
}

// apply copies the live figures; cpu_absolute is kept to two decimals.
func (l *liveBlock) apply(res *panel.Resources) {
	res.Live = true
	res.State = panel.ParseState(l.CurrentState)
	res.CPUPercent = float64(whole(l.CPUAbsolute*100)) / 100
	res.MemoryBytes = whole(l.MemoryBytes)
	res.DiskBytes = whole(l.DiskBytes)
	res.NetworkRxBytes = whole(l.NetworkRxBytes)
	res.NetworkTxBytes = whole(l.NetworkTxBytes)
}

// decodeSent reads {"data": {"signal"|"command": …, "sent": bool}}.
func decodeSent(body []byte) (bool, error) {
	var b struct {
		Data *struct {
			Sent *bool `json:"sent"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return false, fmt.Errorf("undecodable answer: %s", jsonProblem(err))
	}
	if b.Data == nil || b.Data.Sent == nil {
		return false, errors.New(`the answer has no "data.sent"`)
	}
	return *b.Data.Sent, nil
}

// whole turns a figure into a non-negative integer; negative or absurd
// figures mean "not reported".
func whole(f float64) int64 {
	if f <= 0 || f > 1e18 || math.IsNaN(f) {
		return 0
	}
	return int64(f)
}

// jsonProblem describes a decoding failure without quoting the body.
func jsonProblem(err error) string {
	var bad *httpapi.BadID
	if errors.As(err, &bad) {
		return "id " + bad.Raw + " is not a service ID"
	}
	return httpapi.JSONProblem(err)
}
