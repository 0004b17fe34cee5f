package a2s

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/panelbot/panelbot/internal/players"
)

// Packet headers and response kinds, from Valve's "Server queries".
const (
	headerSimple    = -1 // 0xFFFFFFFF: the whole response in one packet
	headerSplit     = -2 // 0xFFFFFFFE: one part of a split response
	kindInfo        = 'T'
	kindPlayer      = 'U'
	headerInfo      = 'I'  // 0x49, Source A2S_INFO response
	headerGoldInfo  = 'm'  // 0x6D, obsolete GoldSource A2S_INFO response
	headerPlayer    = 'D'  // 0x44
	headerChallenge = 0x41 // S2C_CHALLENGE
)

// infoPayload is A2S_INFO's fixed payload.
const infoPayload = "Source Engine Query\x00"

// maxNames caps the names kept from A2S_PLAYER.
const maxNames = 100

// errShort is returned for a response that ends early.
var errShort = errors.New("a2s: response ends early")

// InfoRequest is A2S_INFO, with the challenge appended when there is one.
func InfoRequest(challenge []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(0xFFFFFFFF))
	b = append(b, kindInfo)
	b = append(b, infoPayload...)
	return append(b, challenge...)
}

// PlayerRequest is A2S_PLAYER with the challenge, or -1 to ask for one.
func PlayerRequest(challenge []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(0xFFFFFFFF))
	b = append(b, kindPlayer)
	if challenge == nil {
		challenge = []byte{0xFF, 0xFF, 0xFF, 0xFF}
	}
	return append(b, challenge...)
}

// withChallenge rebuilds req (InfoRequest or PlayerRequest) with challenge.
func withChallenge(req, challenge []byte) []byte {
	if len(req) > 4 && req[4] == kindPlayer {
		return PlayerRequest(challenge)
	}
	return InfoRequest(challenge)
}

// Split checks a datagram's header and returns its kind byte and the rest.
func Split(p []byte) (byte, []byte, error) {
	if len(p) < 5 {
		return 0, nil, errShort
	}
	switch int32(binary.LittleEndian.Uint32(p)) {
	case headerSimple:
		return p[4], p[5:], nil
	case headerSplit:
		return 0, nil, ErrMultiPacket
	default:
		return 0, nil, errors.New("a2s: not a query response")
	}
}

// reader reads the protocol's fields from a response, remembering the
// first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) < 1 {
		r.err = errShort
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) skip(n int) {
	if r.err != nil || len(r.b) < n {
		r.err = errShort
		return
	}
	r.b = r.b[n:]
}

// string reads a NUL-terminated string.
func (r *reader) string() string {
	i := bytes.IndexByte(r.b, 0)
	if r.err != nil || i < 0 {
		r.err = errShort
		return ""
	}
	s := string(r.b[:i])
	r.b = r.b[i+1:]
	return s
}

// ParseInfo reads an A2S_INFO response (kind byte included), Source or
// GoldSource, for its player counts.
func ParseInfo(p []byte) (players.Count, error) {
	r := reader{b: p}
	switch r.byte() {
	case headerInfo:
		r.byte() // protocol
		r.string()
		r.string()
		r.string()
		r.string() // name, map, folder, game
		r.skip(2)  // Steam app ID
	case headerGoldInfo:
		for range 5 {
			r.string() // address, name, map, folder, game
		}
	default:
		return players.Count{}, errors.New("a2s: not an A2S_INFO response")
	}
	online, max := r.byte(), r.byte()
	if r.err != nil {
		return players.Count{}, fmt.Errorf("a2s info: %w", r.err)
	}
	return players.Count{Online: int(online), Max: int(max)}, nil
}

// ParsePlayers reads an A2S_PLAYER response (kind byte included) for the
// players' names; players still connecting have none and are left out.
func ParsePlayers(p []byte) ([]string, error) {
	r := reader{b: p}
	if r.byte() != headerPlayer {
		return nil, errors.New("a2s: not an A2S_PLAYER response")
	}
	n := int(r.byte())
	var names []string
	for i := 0; i < n && r.err == nil; i++ {
		r.byte() // index
		name := r.string()
		r.skip(8) // score (int32), duration (float32)
		if r.err == nil && name != "" && len(names) < maxNames {
			names = append(names, name)
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("a2s players: %w", r.err)
	}
	return names, nil
}
