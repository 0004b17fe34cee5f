package playerstest

import (
	"bytes"
	"encoding/binary"
	"math"
	"net"
	"sync"
	"testing"

	"github.com/panelbot/panelbot/internal/players"
)

// challenge is the responder's S2C_CHALLENGE number.
const challenge = "\x4b\x7a\x10\x9e"

// A2S starts a Source server query responder on 127.0.0.1 that answers
// A2S_INFO and A2S_PLAYER with c, each only after the challenge, and
// returns its address. It stops when the test ends.
func A2S(t testing.TB, c players.Count) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("playerstest: listen: %v", err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := answerA2S(t, buf[:n], c); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// answerA2S answers one request; nil (and a test error) for a bad one.
func answerA2S(t testing.TB, req []byte, c players.Count) []byte {
	simple := []byte{0xFF, 0xFF, 0xFF, 0xFF}
	info := append(append([]byte{}, simple...), "TSource Engine Query\x00"...)
	player := append(append([]byte{}, simple...), 'U')
	switch {
	case bytes.Equal(req, info), bytes.Equal(req, append(player, simple...)):
		return append(append(simple, 0x41), challenge...)
	case bytes.Equal(req, append(info, challenge...)):
		return InfoResponse(c)
	case bytes.Equal(req, append(player, challenge...)):
		return PlayerResponse(c)
	}
	t.Errorf("playerstest: a2s request %q follows no rule of the protocol", req)
	return nil
}

// InfoResponse is a Source A2S_INFO response carrying c's counts.
func InfoResponse(c players.Count) []byte {
	b := []byte{0xFF, 0xFF, 0xFF, 0xFF, 'I', 17}
	for _, s := range []string{"Test Server", "de_dust2", "cstrike", "Counter-Strike: Source"} {
		b = append(append(b, s...), 0)
	}
	b = binary.LittleEndian.AppendUint16(b, 240)
	b = append(b, byte(c.Online), byte(c.Max), 0, 'd', 'l', 0, 1)
	return append(append(b, "1.0.0.0"...), 0, 0)
}

// PlayerResponse is an A2S_PLAYER response naming c's players.
func PlayerResponse(c players.Count) []byte {
	b := []byte{0xFF, 0xFF, 0xFF, 0xFF, 'D', byte(len(c.Names))}
	for i, n := range c.Names {
		b = append(append(append(b, byte(i)), n...), 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(i*10))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(60*i)))
	}
	return b
}

// Silent returns a loopback address that takes TCP connections and UDP
// datagrams on one port and never answers. It closes when the test ends.
func Silent(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("playerstest: listen: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	pc, err := net.ListenPacket("udp", l.Addr().String())
	if err != nil {
		t.Fatalf("playerstest: listen udp: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	return l.Addr().String()
}
