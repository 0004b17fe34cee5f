package a2s_test

import (
	"testing"

	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/players/a2s"
	"github.com/panelbot/panelbot/internal/players/playerstest"
)

// FuzzParse feeds a datagram to the header check and both parsers: they
// must never panic, nor name more players than the packet could hold.
func FuzzParse(f *testing.F) {
	c := players.Count{Online: 2, Max: 32, Names: []string{"alice", "bob"}}
	f.Add(playerstest.InfoResponse(c))
	f.Add(playerstest.PlayerResponse(c))
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0x41, 1, 2, 3, 4})
	f.Add([]byte{0xFE, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 2, 0})
	f.Add([]byte("\xff\xff\xff\xffmaddr\x00n\x00m\x00f\x00g\x00\x01\x02"))
	f.Fuzz(func(t *testing.T, p []byte) {
		kind, body, err := a2s.Split(p)
		if err != nil {
			return
		}
		resp := append([]byte{kind}, body...)
		if c, err := a2s.ParseInfo(resp); err == nil && (c.Online > 255 || c.Max > 255) {
			t.Fatalf("count %+v out of a byte", c)
		}
		if names, err := a2s.ParsePlayers(resp); err == nil && len(names) > len(resp) {
			t.Fatalf("%d names from %d bytes", len(names), len(resp))
		}
	})
}
