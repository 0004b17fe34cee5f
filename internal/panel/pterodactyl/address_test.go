package pterodactyl

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel/pterodactyl/pterosim"
)

// The default allocation is the server's address, the alias standing for
// the IP when set; a server without one has no address.
func TestServersAddress(t *testing.T) {
	sim := pterosim.New(t, pterosim.WithServers(
		pterosim.ServerSpec{Identifier: "aaaa1111", Allocations: []pterosim.Allocation{
			{IP: "10.0.0.1", Port: 25566}, {IP: "10.0.0.1", Port: 25565, Default: true},
		}},
		pterosim.ServerSpec{Identifier: "bbbb2222", Allocations: []pterosim.Allocation{
			{IP: "10.0.0.2", IPAlias: "play.example.com", Port: 27015, Default: true},
		}},
		pterosim.ServerSpec{Identifier: "cccc3333", Allocations: []pterosim.Allocation{{IP: "::1", Port: 7777, Default: true}}},
		pterosim.ServerSpec{Identifier: "dddd4444"},
	))
	c, _ := newClient(t, sim.URL(), sim.APIKey())
	servers, err := c.Servers(context.Background())
	require.NoError(t, err)
	require.Len(t, servers, 4)
	assert.Equal(t, "10.0.0.1:25565", servers[0].Address)
	assert.Equal(t, "play.example.com:27015", servers[1].Address)
	assert.Equal(t, "[::1]:7777", servers[2].Address)
	assert.Empty(t, servers[3].Address)
	assert.Equal(t, "allocations", sim.Requests()[0].Query.Get("include"))
}

func TestAddressRejectsNonsense(t *testing.T) {
	for _, js := range []string{
		`{"relationships":{"allocations":{"data":[{"attributes":{"ip":"a b","port":1,"is_default":true}}]}}}`,
		`{"relationships":{"allocations":{"data":[{"attributes":{"ip":"1.2.3.4","port":70000,"is_default":true}}]}}}`,
		`{"relationships":{"allocations":{"data":[{"attributes":{"ip":"1.2.3.4","port":0,"is_default":true}}]}}}`,
	} {
		var a serverAttributes
		require.NoError(t, json.Unmarshal([]byte(js), &a))
		assert.Empty(t, a.address(), js)
	}
}
