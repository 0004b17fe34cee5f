package minecraft

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/panelbot/panelbot/internal/players"
)

// maxHost is the handshake's server address limit (255 characters).
const maxHost = 255

// maxNames caps the names kept from a sample.
const maxNames = 100

// ErrVarInt is returned for a VarInt longer than five bytes.
var ErrVarInt = errors.New("minecraft: VarInt too long")

// AppendVarInt appends v in the protocol's VarInt encoding: seven bits a
// byte, low group first, high bit set on every byte but the last.
func AppendVarInt(b []byte, v int32) []byte {
	u := uint32(v)
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

// ReadVarInt reads a VarInt of at most five bytes.
func ReadVarInt(r io.ByteReader) (int32, error) {
	var u uint32
	for i := 0; i < 5; i++ {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		u |= uint32(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			return int32(u), nil
		}
	}
	return 0, ErrVarInt
}

// appendString appends a VarInt-prefixed UTF-8 string.
func appendString(b []byte, s string) []byte {
	b = AppendVarInt(b, int32(len(s)))
	return append(b, s...)
}

// packet frames an ID and data with the length prefix.
func packet(id int32, data []byte) []byte {
	body := AppendVarInt(nil, id)
	body = append(body, data...)
	return append(AppendVarInt(nil, int32(len(body))), body...)
}

// Handshake is the handshake packet (ID 0) asking for the status state.
func Handshake(host string, port uint16) []byte {
	if len(host) > maxHost {
		host = host[:maxHost]
	}
	data := AppendVarInt(nil, protocolVersion)
	data = appendString(data, host)
	data = append(data, byte(port>>8), byte(port))
	data = AppendVarInt(data, 1) // next state: status
	return packet(0, data)
}

// StatusRequest is the empty status request packet (ID 0).
func StatusRequest() []byte { return packet(0, nil) }

// status is the part of the status JSON the bot reads.
type status struct {
	Players *struct {
		Max    int `json:"max"`
		Online int `json:"online"`
		Sample []struct {
			Name string `json:"name"`
		} `json:"sample"`
	} `json:"players"`
}

// ParseStatus reads a status response packet's payload: ID 0, then the
// JSON as a VarInt-prefixed string.
func ParseStatus(payload []byte) (players.Count, error) {
	r := bytes.NewReader(payload)
	id, err := ReadVarInt(r)
	if err != nil || id != 0 {
		return players.Count{}, fmt.Errorf("minecraft: not a status response (packet %d)", id)
	}
	n, err := ReadVarInt(r)
	if err != nil || n < 0 || int(n) != r.Len() {
		return players.Count{}, errors.New("minecraft: status string length does not match the packet")
	}
	var st status
	if err := json.Unmarshal(payload[len(payload)-int(n):], &st); err != nil {
		return players.Count{}, fmt.Errorf("minecraft: status JSON: %w", err)
	}
	if st.Players == nil || st.Players.Online < 0 || st.Players.Max < 0 {
		return players.Count{}, errors.New("minecraft: status has no player counts")
	}
	c := players.Count{Online: st.Players.Online, Max: st.Players.Max}
	for _, s := range st.Players.Sample {
		if s.Name != "" && len(c.Names) < maxNames {
			c.Names = append(c.Names, s.Name)
		}
	}
	return c, nil
}
