package serverprism

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/panelbot/panelbot/internal/panel"
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
			ID            *numericID `json:"id"`
			Product       string     `json:"product"`
			ServiceStatus string     `json:"service_status"`
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
		out = append(out, listItem{id: string(*s.ID), product: clip(strings.TrimSpace(s.Product), 100),
			status: clip(strings.ToLower(strings.TrimSpace(s.ServiceStatus)), 40)})
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
	out := details{name: clip(strings.TrimSpace(d.Name), 100)}
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

// numericID is a service ID, a JSON number (or, to be lenient, a string of
// digits).
type numericID string

// UnmarshalJSON accepts 1234 or "1234" and nothing else.
func (n *numericID) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseUint(s, 10, 63)
	if err != nil || len(s) > maxIDDigits || strings.TrimLeft(s, "0123456789") != "" {
		return &idError{raw: clip(s, 24)}
	}
	*n = numericID(strconv.FormatUint(v, 10))
	return nil
}

// idError says which value could not be a service ID.
type idError struct{ raw string }

func (e *idError) Error() string { return fmt.Sprintf("id %s is not a service ID", e.raw) }

// jsonProblem describes a decoding failure without quoting the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ie *idError
	switch {
	case errors.As(err, &ie):
		return ie.Error()
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q has the wrong type (%s)", te.Field, te.Value)
	default:
		return "malformed or truncated JSON"
	}
}
