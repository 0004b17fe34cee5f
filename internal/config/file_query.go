package config

import (
	"net"
	"strconv"
	"strings"

	"github.com/panelbot/panelbot/internal/players"
)

// Query says how to ask a server's game for its players: the protocol, and
// the address when the panel's own (its default allocation) is not the one.
type Query struct {
	Protocol players.Protocol
	Address  string // host:port; "" means the panel's allocation
	Line     int
}

// query reads a server's query: {protocol:, address:}; nil when absent.
func (d *decoder) query(p pair) *Query {
	if p.value == nil {
		return nil
	}
	m := d.mapping(p.value, "query:")
	if m == nil {
		return nil
	}
	d.checkKeys(m, scope{level: "query:", keys: []string{"protocol", "address"}})
	q := &Query{Line: p.key.Line, Address: d.text(m.get("address"))}
	proto := m.get("protocol")
	switch pr, err := players.ParseProtocol(d.text(proto)); {
	case proto.value == nil:
		d.fail(p.key, "query needs protocol: minecraft (Java edition), a2s (Source and other Steam games) or auto")
	case err != nil:
		d.fail(proto.value, "query protocol %s is not known: use minecraft, a2s or auto", quoted(d.text(proto)))
	default:
		q.Protocol = pr
	}
	if q.Address != "" {
		if problem := addressProblem(q.Address); problem != "" {
			d.fail(m.get("address").value, "query address %s %s", quoted(q.Address), problem)
		}
	}
	return q
}

// addressProblem checks a host:port; "" when fine.
func addressProblem(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return "must be host:port, e.g. play.example.com:25565 or [2001:db8::1]:27015"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "has no port between 1 and 65535"
	}
	if host == "" || len(host) > 253 || strings.ContainsAny(host, " /") {
		return "has no host name or IP address before the port"
	}
	return ""
}
