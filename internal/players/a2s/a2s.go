// Package a2s asks a Source or GoldSource (Steam) game server for its
// players with Valve's server queries over UDP: A2S_INFO for the counts,
// then A2S_PLAYER for the names.
//
// Both queries may be answered with S2C_CHALLENGE (0x41 and four bytes); the
// client then repeats the request with the challenge appended, as Valve's
// current protocol requires for A2S_INFO since 2020 and always did for
// A2S_PLAYER.
//
// Only single-packet responses are supported. A split (multi-packet)
// response, header -2, is refused with ErrMultiPacket and the players are
// then unknown: the counts fit in one packet on every server the bot is
// meant for, and reassembly (with bzip2 on old engines) is not worth its
// risk here.
package a2s

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/panelbot/panelbot/internal/players"
)

// MaxPacket is the largest datagram read. Valve's servers send at most
// 1400 bytes a packet; the buffer is fixed, so nothing a server sends
// makes the client allocate more.
const MaxPacket = 1400 + 100

// maxChallenges bounds the challenge replies one query follows, so a
// server that answers every request with a new challenge cannot loop us.
const maxChallenges = 3

// defaultTimeout bounds a query whose context has no deadline.
const defaultTimeout = 5 * time.Second

// ErrMultiPacket is returned for a split response, which is not supported.
var ErrMultiPacket = errors.New("a2s: multi-packet response not supported")

// Client queries Source and GoldSource servers.
type Client struct {
	dial func(ctx context.Context, network, address string) (net.Conn, error)
}

var _ players.Querier = (*Client)(nil)

// New returns a Client dialling with net.Dialer.
func New() *Client {
	var d net.Dialer
	return &Client{dial: d.DialContext}
}

// Query implements players.Querier. The names come from A2S_PLAYER; when
// that fails after A2S_INFO answered, the counts are returned without names.
func (c *Client) Query(ctx context.Context, address string) (players.Count, error) {
	conn, err := c.dial(ctx, "udp", address)
	if err != nil {
		return players.Count{}, fmt.Errorf("a2s: %w", err)
	}
	defer conn.Close()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultTimeout)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return players.Count{}, fmt.Errorf("a2s: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	buf := make([]byte, MaxPacket)
	info, err := exchange(conn, buf, InfoRequest(nil), headerInfo, headerGoldInfo)
	if err != nil {
		return players.Count{}, err
	}
	count, err := ParseInfo(info)
	if err != nil {
		return players.Count{}, err
	}
	if resp, err := exchange(conn, buf, PlayerRequest(nil), headerPlayer); err == nil {
		count.Names, _ = ParsePlayers(resp)
	}
	return count, nil
}

// exchange sends req and returns the first response with one of the wanted
// headers, following challenge replies by resending req with the challenge.
// The result aliases buf.
func exchange(conn net.Conn, buf, req []byte, want ...byte) ([]byte, error) {
	for range maxChallenges + 1 {
		if _, err := conn.Write(req); err != nil {
			return nil, fmt.Errorf("a2s: send: %w", err)
		}
		n, err := conn.Read(buf)
		if err != nil {
			return nil, fmt.Errorf("a2s: %w", err)
		}
		kind, body, err := Split(buf[:n])
		if err != nil {
			return nil, err
		}
		if kind != headerChallenge {
			return checkKind(kind, body, want)
		}
		if len(body) < 4 {
			return nil, errors.New("a2s: short challenge")
		}
		req = withChallenge(req, body[:4])
	}
	return nil, errors.New("a2s: too many challenges")
}

func checkKind(kind byte, body []byte, want []byte) ([]byte, error) {
	for _, w := range want {
		if kind == w {
			return append([]byte{kind}, body...), nil
		}
	}
	return nil, fmt.Errorf("a2s: unexpected response 0x%02x", kind)
}
