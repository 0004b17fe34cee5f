package wings

import (
	"encoding/json"
	"errors"
)

// frame is the node's message format in both directions. Args are always
// strings; a JSON payload (stats) arrives as a string in Args[0].
type frame struct {
	Event string   `json:"event"`
	Args  []string `json:"args,omitempty"`
}

// decodeFrame parses one text frame from the node.
func decodeFrame(b []byte) (frame, error) {
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		return frame{}, err
	}
	if f.Event == "" {
		return frame{}, errors.New("frame has no event")
	}
	return f, nil
}

// arg is the first argument, or "" when there is none.
func (f frame) arg() string {
	if len(f.Args) == 0 {
		return ""
	}
	return f.Args[0]
}

// encodeFrame builds an outgoing frame; args are left out when empty, as the
// panel's frontend does.
func encodeFrame(event string, args ...string) []byte {
	b, _ := json.Marshal(frame{Event: event, Args: args}) // strings always marshal
	return b
}
