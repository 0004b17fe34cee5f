package shardlyn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
)

// LogHistory returns an instance's recent console lines, oldest first, from
// GET /v1/instances/{id}/logs/history. The console relay reads it to fill
// what a reconnect's socket did not replay. It goes through the one request
// funnel, so it renews an expired token and retries like any GET.
func (c *Client) LogHistory(ctx context.Context, id string) ([]string, error) {
	op := "log history " + id
	if err := checkID(op, id); err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := c.do(ctx, httpapi.Request{Op: op, Method: http.MethodGet, Path: instancePath(id, "logs/history")}, &raw); err != nil {
		return nil, err
	}
	lines, err := decodeHistory(raw)
	if err != nil {
		return nil, badResponse(op, err)
	}
	return lines, nil
}

// decodeHistory reads the history's lines. Document 004 names the endpoint
// and not its body, so the plainest shapes are accepted: a list, or an
// object holding it under "lines", "logs" or "data"; each entry a string
// or an object with its text under "line", "message" or "text".
func decodeHistory(body []byte) ([]string, error) {
	body = bytes.TrimSpace(body)
	var list []json.RawMessage
	if len(body) == 0 || body[0] != '[' {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, errors.New("history is neither a list nor an object")
		}
		for _, key := range []string{"lines", "logs", "data"} {
			if v, ok := obj[key]; ok {
				body = v
				break
			}
		}
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, errors.New("history holds no list of lines")
	}
	lines := make([]string, 0, len(list))
	for _, item := range list {
		line, err := historyLine(item)
		if err != nil {
			return nil, err
		}
		lines = append(lines, line)
	}
	return lines, nil
}

func historyLine(item json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(item, &s) == nil {
		return s, nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(item, &obj) == nil {
		for _, key := range []string{"line", "message", "text"} {
			if json.Unmarshal(obj[key], &s) == nil {
				return s, nil
			}
		}
	}
	return "", errors.New("a history entry is neither text nor an object with its text")
}
