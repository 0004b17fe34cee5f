// Package playerstest starts game-server responders on loopback for tests:
// a Minecraft Server List Ping responder, an A2S responder, and a silent
// address that never answers. The responders are strict: a request that
// does not follow the protocol fails the test.
package playerstest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"sync"
	"testing"

	"github.com/panelbot/panelbot/internal/players"
	"github.com/panelbot/panelbot/internal/players/minecraft"
)

// Minecraft starts a Server List Ping responder on 127.0.0.1 that answers
// with c, and returns its address. It stops when the test ends.
func Minecraft(t testing.TB, c players.Count) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("playerstest: listen: %v", err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); serveMinecraft(t, conn, c) }()
		}
	}()
	return l.Addr().String()
}

// serveMinecraft answers one connection: handshake, status request, status.
func serveMinecraft(t testing.TB, conn net.Conn, c players.Count) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	hs, err := minecraft.ReadPacket(r, 1024)
	if err != nil {
		t.Errorf("playerstest: minecraft handshake: %v", err)
		return
	}
	if msg := checkHandshake(hs); msg != "" {
		t.Errorf("playerstest: minecraft handshake: %s", msg)
		return
	}
	req, err := minecraft.ReadPacket(r, 1024)
	if err != nil || !bytes.Equal(req, []byte{0}) {
		t.Errorf("playerstest: minecraft status request is %x, %v; want 00", req, err)
		return
	}
	if _, err := conn.Write(StatusResponse(c)); err != nil {
		t.Errorf("playerstest: minecraft write: %v", err)
	}
}

// checkHandshake checks a handshake payload; "" when it is right.
func checkHandshake(p []byte) string {
	r := bytes.NewReader(p)
	if id, err := minecraft.ReadVarInt(r); err != nil || id != 0 {
		return "packet ID is not 0"
	}
	if _, err := minecraft.ReadVarInt(r); err != nil {
		return "no protocol version"
	}
	n, err := minecraft.ReadVarInt(r)
	if err != nil || n < 0 || n > 255*4 || int(n) > r.Len() {
		return "bad server address length"
	}
	r.Seek(int64(n)+2, 1) // address, then the unsigned short port
	if next, err := minecraft.ReadVarInt(r); err != nil || next != 1 {
		return "next state is not 1 (status)"
	}
	if r.Len() != 0 {
		return "trailing bytes"
	}
	return ""
}

// StatusResponse is a status response packet carrying c.
func StatusResponse(c players.Count) []byte {
	type sample struct {
		Name string `json:"name"`
		ID   string `json:"id"`
	}
	var doc struct {
		Version struct {
			Name     string `json:"name"`
			Protocol int    `json:"protocol"`
		} `json:"version"`
		Players struct {
			Max    int      `json:"max"`
			Online int      `json:"online"`
			Sample []sample `json:"sample,omitempty"`
		} `json:"players"`
		Description struct {
			Text string `json:"text"`
		} `json:"description"`
	}
	doc.Version.Name, doc.Version.Protocol = "1.21.4", 769
	doc.Players.Max, doc.Players.Online = c.Max, c.Online
	for _, n := range c.Names {
		doc.Players.Sample = append(doc.Players.Sample, sample{Name: n, ID: "4566e69f-c907-48ee-8d71-d7ba5aa00d20"})
	}
	doc.Description.Text = "A Minecraft Server"
	js, _ := json.Marshal(doc)
	body := minecraft.AppendVarInt([]byte{0}, int32(len(js)))
	body = append(body, js...)
	return append(minecraft.AppendVarInt(nil, int32(len(body))), body...)
}
