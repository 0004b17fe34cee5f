package zampto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// StatusSyncing is the Server.Status of a server zampto has not finished
// syncing with its panel: its uuid is still empty, and power signals are
// refused with 422 until it is.
const StatusSyncing = "syncing"

// Servers lists the account's servers from GET /list. The list carries no
// power state (zampto reports none), so Server.State stays empty.
func (c *Client) Servers(ctx context.Context) ([]panel.Server, error) {
	const op = "list servers"
	var body json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodGet, Path: "/list"}, &body); err != nil {
		return nil, err
	}
	servers, err := decodeList(body)
	if err != nil {
		return nil, badResponse(op, http.StatusOK, err.Error())
	}
	return servers, nil
}

// Resources is unsupported: zampto's API reports neither a server's power
// state nor its usage — GET /list, the only thing it tells about a server,
// holds its limits and identifiers only — so there is nothing true to show.
// It answers without asking zampto, so /status costs no rate-limit slot.
func (c *Client) Resources(_ context.Context, id string) (panel.Resources, error) {
	return panel.Resources{}, &panel.Error{Class: panel.ErrUnsupported, Op: "status " + httpapi.Clip(id, 32),
		Message: "zampto does not report whether a server is running or what it uses. Check the zampto dashboard."}
}

// Power sends start, stop, restart or kill as POST /<signal> {"server": N}.
// Success means zampto accepted the signal. It is never retried.
func (c *Client) Power(ctx context.Context, id string, s panel.Signal) error {
	op := "power " + string(s) + " " + httpapi.Clip(id, 32)
	sig, err := panel.ParseSignal(string(s))
	if err != nil {
		return &panel.Error{Class: panel.ErrInvalid, Op: op, Detail: err.Error()}
	}
	n, err := parseID(op, id)
	if err != nil {
		return err
	}
	var body json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodPost, Path: "/" + string(sig),
		Body: struct {
			Server uint64 `json:"server"`
		}{n}}, &body); err != nil {
		return err
	}
	if err := decodeAck(body); err != nil {
		return badResponse(op, http.StatusOK, err.Error())
	}
	return nil
}

// Command is unsupported: zampto has no console API.
func (c *Client) Command(_ context.Context, id, _ string) error {
	return &panel.Error{Class: panel.ErrUnsupported, Op: "command " + httpapi.Clip(id, 32),
		Message: "zampto has no console: commands cannot be sent to its servers."}
}

// Health asks GET /health whether zampto's API is up, without the key, for
// `bot check`. It does not prove the key works: Servers does.
func (c *Client) Health(ctx context.Context) error {
	const op = "health check"
	var body json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodGet, Path: "/health", NoAuth: true}, &body); err != nil {
		return err
	}
	status, err := decodeHealth(body)
	if err != nil {
		return badResponse(op, http.StatusOK, err.Error())
	}
	if status != "ok" {
		return &panel.Error{Class: panel.ErrUnavailable, Op: op, Status: http.StatusOK,
			Detail:  fmt.Sprintf("zampto reports status %q", httpapi.Clip(status, 40)),
			Message: "zampto's API reports that it is not healthy. Try again later."}
	}
	return nil
}

// parseID checks a server ID is a number before it is sent, since zampto
// addresses servers by number only.
func parseID(op, id string) (uint64, error) {
	n, ok := httpapi.ParseNumericID(id)
	if !ok {
		return 0, &panel.Error{Class: panel.ErrInvalid, Op: op, Detail: "server ID is not a number",
			Message: fmt.Sprintf("zampto server IDs are numbers, and %q is not one. Pick the server from /servers.", httpapi.Clip(id, 32))}
	}
	return n, nil
}

// listServer is one entry of GET /list's data. Sizes are read as numbers of
// any form so that a 4096.0 does not fail the whole list.
type listServer struct {
	ID     *httpapi.NumericID `json:"id"`
	Name   string             `json:"name"`
	Memory float64            `json:"memory"` // MB
	Disk   float64            `json:"disk"`   // MB
	CPU    float64            `json:"cpu"`    // cores (see toServer)
	UUID   string             `json:"uuid"`
	NodeID *httpapi.NumericID `json:"node_id"`
}

// decodeList reads GET /list: {"success": true, "data": [ … ]}. Unknown
// keys are ignored; a missing data array or a server without a numeric id
// is an error, since a silently empty list would say "no servers".
func decodeList(body []byte) ([]panel.Server, error) {
	var resp struct {
		Success *bool         `json:"success"`
		Message string        `json:"message"`
		Data    *[]listServer `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("undecodable server list: %s", jsonProblem(err))
	}
	if resp.Success != nil && !*resp.Success {
		return nil, fmt.Errorf("the server list says it failed: %q", httpapi.Clip(resp.Message, 100))
	}
	if resp.Data == nil {
		return nil, errors.New("the server list has no data array")
	}
	out := make([]panel.Server, 0, len(*resp.Data))
	for i, s := range *resp.Data {
		if s.ID == nil {
			return nil, fmt.Errorf("server %d of the list has no numeric id", i+1)
		}
		out = append(out, s.toServer())
	}
	return out, nil
}

// toServer maps a list entry. zampto's "cpu" is read as a number of cores
// (the documented example sells 4 with 4096 MB), so 4 becomes 400 %.
func (s listServer) toServer() panel.Server {
	srv := panel.Server{
		ID: string(*s.ID), UUID: httpapi.Clip(s.UUID, 64), Name: httpapi.Clip(strings.TrimSpace(s.Name), 100),
		Limits: panel.Limits{MemoryMB: whole(s.Memory), DiskMB: whole(s.Disk), CPUPercent: whole(s.CPU * 100)},
	}
	if srv.Name == "" {
		srv.Name = "server " + srv.ID
	}
	if s.NodeID != nil && *s.NodeID != "0" {
		srv.Node = "node " + string(*s.NodeID)
	}
	if strings.TrimSpace(s.UUID) == "" {
		srv.Status = StatusSyncing
	}
	return srv
}

// whole turns a size into a non-negative integer; negative or absurd sizes
// mean "not reported".
func whole(f float64) int64 {
	if f <= 0 || f > 1e15 || math.IsNaN(f) {
		return 0
	}
	return int64(f)
}

// decodeAck reads a power answer: {"success": true, "message": "Success"},
// or nothing at all (zampto documents 204 as a success too).
func decodeAck(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("undecodable answer to a power signal: %s", jsonProblem(err))
	}
	if env.Success == nil || !*env.Success {
		return fmt.Errorf("zampto did not confirm the power signal: %q", httpapi.Clip(env.Message, 100))
	}
	return nil
}

// decodeHealth reads GET /health: {"status": "ok", "timestamp": "…"}.
func decodeHealth(body []byte) (string, error) {
	var h struct {
		Status *string `json:"status"`
	}
	if err := json.Unmarshal(body, &h); err != nil {
		return "", fmt.Errorf("undecodable health answer: %s", jsonProblem(err))
	}
	if h.Status == nil {
		return "", errors.New("the health answer has no status")
	}
	return *h.Status, nil
}

// jsonProblem describes a decoding failure without quoting the body.
func jsonProblem(err error) string {
	var bad *httpapi.BadID
	if errors.As(err, &bad) {
		return "id " + bad.Raw + " is not a server number"
	}
	return httpapi.JSONProblem(err)
}
