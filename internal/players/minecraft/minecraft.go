// Package minecraft asks a Minecraft Java Edition server for its players
// with the Server List Ping: over TCP, a handshake packet (next state 1,
// status), a status request, and a JSON status response whose
// players.online, players.max and players.sample[].name the bot reads.
//
// Every read is bounded: a hostile server cannot make the client allocate
// more than MaxResponse bytes, nor hold it past the context's deadline.
package minecraft

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/panelbot/panelbot/internal/players"
)

// MaxResponse caps the status response packet. Real responses are a few
// kilobytes (a favicon is the largest part); more is refused.
const MaxResponse = 64 << 10

// protocolVersion is sent in the handshake: -1 is the convention for a
// client that pings to learn the version.
const protocolVersion = -1

// defaultTimeout bounds a query whose context has no deadline.
const defaultTimeout = 5 * time.Second

// Client queries Minecraft Java servers.
type Client struct {
	dial func(ctx context.Context, network, address string) (net.Conn, error)
}

var _ players.Querier = (*Client)(nil)

// New returns a Client dialling with net.Dialer.
func New() *Client {
	var d net.Dialer
	return &Client{dial: d.DialContext}
}

// Query implements players.Querier.
func (c *Client) Query(ctx context.Context, address string) (players.Count, error) {
	host, port, err := splitAddress(address)
	if err != nil {
		return players.Count{}, err
	}
	conn, err := c.dial(ctx, "tcp", address)
	if err != nil {
		return players.Count{}, fmt.Errorf("minecraft: %w", err)
	}
	defer conn.Close()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultTimeout)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return players.Count{}, fmt.Errorf("minecraft: %w", err)
	}
	// Closing the connection unblocks the reads when ctx is cancelled early.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := conn.Write(append(Handshake(host, port), StatusRequest()...)); err != nil {
		return players.Count{}, fmt.Errorf("minecraft: send: %w", err)
	}
	body, err := ReadPacket(bufio.NewReader(conn), MaxResponse)
	if err != nil {
		return players.Count{}, fmt.Errorf("minecraft: %w", err)
	}
	return ParseStatus(body)
}

// splitAddress splits host:port, checking the port.
func splitAddress(address string) (string, uint16, error) {
	host, p, err := net.SplitHostPort(address)
	if err != nil {
		return "", 0, fmt.Errorf("minecraft: address %q: %w", address, err)
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil || port == 0 {
		return "", 0, fmt.Errorf("minecraft: address %q: bad port", address)
	}
	return host, uint16(port), nil
}

// ErrTooLarge is returned for a packet longer than the cap.
var ErrTooLarge = errors.New("minecraft: packet too large")

// ReadPacket reads one length-prefixed packet of at most limit bytes and
// returns its payload (packet ID and data).
func ReadPacket(r io.ByteReader, limit int) ([]byte, error) {
	n, err := ReadVarInt(r)
	if err != nil {
		return nil, fmt.Errorf("packet length: %w", err)
	}
	if n <= 0 || int(n) > limit {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, n)
	}
	buf := make([]byte, n)
	for i := range buf {
		if buf[i], err = r.ReadByte(); err != nil {
			return nil, fmt.Errorf("packet body: %w", err)
		}
	}
	return buf, nil
}
