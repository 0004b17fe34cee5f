package minecraft_test

import (
	"bytes"
	"testing"

	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/players/minecraft"
	"github.com/panelbot/panelbot/internal/players/playerstest"
)

// FuzzReadResponse feeds the client's response path (framing, then the
// status) arbitrary bytes: it must never panic, never accept a packet over
// the cap, and never report negative counts.
func FuzzReadResponse(f *testing.F) {
	f.Add(playerstest.StatusResponse(players.Count{Online: 3, Max: 20, Names: []string{"alice", "§cbob"}}))
	f.Add(playerstest.StatusResponse(players.Count{}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{0x03, 0x00, 0x01, '{'})
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x08})
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := minecraft.ReadPacket(bytes.NewReader(b), 4096)
		if err != nil {
			return
		}
		if len(body) > 4096 {
			t.Fatalf("packet of %d bytes over the cap", len(body))
		}
		c, err := minecraft.ParseStatus(body)
		if err == nil && (c.Online < 0 || c.Max < 0 || len(c.Names) > 100) {
			t.Fatalf("bad count %+v", c)
		}
	})
}
