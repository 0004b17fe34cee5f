package wingssim

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventBeforeAuthIsRefusedAndRecorded(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := connect(t, n)
	send(t, ws, "send logs")
	expect(t, ws, "jwt error", "jwt: no jwt present")
	send(t, ws, "auth", token(t, n))
	expect(t, ws, "auth success")
	expect(t, ws, "status", "running")
	assert.Equal(t, []string{"send logs"}, n.EarlyEvents(uuid))
	assert.Equal(t, []string{"jwt: no jwt present"}, n.JWTErrors(uuid))
	assert.Equal(t, map[string]int{"send logs": 1, "auth": 1}, n.EventCounts(uuid))
}

// Real Wings answers `send logs` sent right behind `auth` with "no jwt
// present" (30 sockets of 30): the frames race on their own goroutines. A
// node that handled frames in order would never do so.
func TestFramesRightBehindAuthRaceIt(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	refused := 0
	for range 30 {
		ws := connect(t, n)
		tok := token(t, n)
		send(t, ws, "auth", tok)
		send(t, ws, "send stats")
		for range 3 { // auth success, status, and stats or jwt error, in any order
			if m := read(t, ws); m.Event == "jwt error" {
				require.Equal(t, []string{"jwt: no jwt present"}, m.Args)
				refused++
			}
		}
		require.NoError(t, ws.Close())
	}
	assert.Positive(t, refused, "no frame overtook its auth")
	// Early is a lower bound (a frame read after auth success was written
	// cannot be told from a patient client's), never a false accusation.
	assert.GreaterOrEqual(t, len(n.EarlyEvents(uuid)), refused)
}

func TestReauthAnswersAuthSuccessOnly(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "offline")
	ws := connect(t, n)
	send(t, ws, "auth", token(t, n))
	expect(t, ws, "auth success")
	expect(t, ws, "status", "offline")
	expect(t, ws, "stats")
	send(t, ws, "auth", token(t, n))
	expect(t, ws, "auth success")
	settle(t, n, 2)
	assert.Equal(t, []string{"auth success", "status", "stats", "auth success"}, sent(n, 0))
	assert.Equal(t, 2, n.Auths(uuid))
}

func TestPterodactylHasNoEventLimits(t *testing.T) {
	n := New(t, WithBacklog(5))
	n.SetState(uuid, "running")
	n.Emit(uuid, "a", "b", "c", "d", "e", "f")
	ws := authed(t, n)
	for range 20 {
		send(t, ws, "auth", token(t, n))
	}
	for range 20 {
		send(t, ws, "send logs")
	}
	settle(t, n, 41)
	n.Await("all writes", func() bool { return n.ReplayedLines(uuid) == 100 })
	assert.Equal(t, 21, n.Auths(uuid))
	assert.Zero(t, n.Throttled())
}

func TestAuthErrorsCarryThePrefix(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	now := n.Now().Unix()
	prefix := "Error Event [" + uuid + "]: "
	fractional := func(iat, exp string) string {
		payload := fmt.Sprintf(`{"iat":%s,"exp":%s,"server_uuid":%q,"permissions":["*"]}`, iat, exp, uuid)
		return signPayload(n.secret, []byte(payload))
	}
	iat, exp := strconv.FormatInt(now, 10), strconv.FormatInt(now+600, 10)
	tok := token(t, n)
	cases := []struct{ name, token, event, text string }{
		{"expired", mint(n, func(c *claims) { c.Expires = now - 2 }), "jwt error", "jwt: exp claim is invalid"},
		{"issued before boot", mint(n, func(c *claims) { c.IssuedAt = n.boot.Unix() }), "jwt error", "jwt: created too far in past (denylist)"},
		{"no connect permission", mint(n, func(c *claims) { c.Permissions = []string{"control.console"} }), "jwt error", "jwt: missing connect permission"},
		{"bad signature", tok[:len(tok)-4] + "AAAA", "daemon error", genericError},
		{"malformed", "not.a-token", "daemon error", genericError},
		{"wrong algorithm", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + strings.Split(tok, ".")[1] + ".", "daemon error", genericError},
		{"fractional exp", fractional(iat, exp+".5"), "daemon error", genericError},
		{"fractional iat", fractional(iat+".5", exp), "daemon error", genericError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := connect(t, n)
			send(t, ws, "auth", c.token)
			expect(t, ws, c.event, prefix+c.text)
		})
	}
	assert.Zero(t, n.Auths(uuid))
}

func TestMissingIatIsDenylisted(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	payload := `{"exp":` + strconv.FormatInt(n.Now().Unix()+60, 10) + `,"server_uuid":"` + uuid + `","permissions":["*"]}`
	ws := connect(t, n)
	send(t, ws, "auth", signPayload(n.secret, []byte(payload)))
	expect(t, ws, "jwt error", "Error Event ["+uuid+"]: jwt: created too far in past (denylist)")
}

func TestTokenForAnotherServerIsMismatchedForEveryEvent(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "offline")
	other, _, err := n.Credentials("another-server")
	require.NoError(t, err)
	ws := connect(t, n)
	send(t, ws, "auth", other)
	expect(t, ws, "auth success")
	expect(t, ws, "jwt error", "jwt: server uuid mismatch") // in place of status
	expect(t, ws, "jwt error", "jwt: server uuid mismatch") // in place of stats
	n.SetState(uuid, "starting")
	expect(t, ws, "jwt error", "jwt: server uuid mismatch")
	send(t, ws, "send stats")
	expect(t, ws, "jwt error", "jwt: server uuid mismatch")
}

func TestPelicanNeedsScopeAndPterodactylIgnoresIt(t *testing.T) {
	for _, pelican := range []bool{false, true} {
		var opts []Option
		if pelican {
			opts = append(opts, WithPelican())
		}
		n := New(t, opts...)
		n.SetState(uuid, "running")
		ws := connect(t, n)
		send(t, ws, "auth", mint(n, func(c *claims) { c.Scope = "" }))
		if pelican {
			expect(t, ws, "jwt error", "Error Event ["+uuid+"]: jwt: missing connect permission")
		} else {
			expect(t, ws, "auth success")
		}
	}
}

func TestCredentialsClaims(t *testing.T) {
	for _, pelican := range []bool{false, true} {
		var opts []Option
		if pelican {
			opts = append(opts, WithPelican())
		}
		n := New(t, opts...)
		tok, socket, err := n.Credentials(uuid)
		require.NoError(t, err)
		assert.Equal(t, n.SocketURL(uuid), socket)
		c, err := parseJWT(n.secret, tok)
		require.NoError(t, err)
		now := n.Now().Unix()
		lifetime, scope := int64(600), ""
		if pelican {
			lifetime, scope = 900, "websocket"
		}
		assert.Equal(t, []int64{now, now - 300, now + lifetime}, []int64{c.IssuedAt, c.NotBefore, c.Expires})
		assert.Equal(t, scope, c.Scope)
		assert.Equal(t, []string{"*"}, c.Permissions)
		assert.Equal(t, n.Origin(), c.Issuer)
		assert.Equal(t, uuid, c.ServerUUID)
		assert.NotEmpty(t, c.ID)
	}
}

func TestOwnerStarDoesNotGrantAdmin(t *testing.T) {
	c := claims{Permissions: []string{"*"}}
	assert.True(t, c.can("control.console"))
	assert.False(t, c.can("admin.websocket.errors"))
}

func TestSendCommandNeedsConsolePermissionAndARunningServer(t *testing.T) {
	n := New(t, WithPermissions("websocket.connect"))
	n.SetState(uuid, "running")
	ws := authed(t, n)
	send(t, ws, "send command", "say denied")
	settle(t, n, 2)
	assert.Empty(t, n.Commands(uuid))

	n2 := New(t)
	n2.SetState(uuid, "running")
	ws2 := authed(t, n2)
	send(t, ws2, "send command", "say hi")
	n2.Await("the command", func() bool { return len(n2.Commands(uuid)) == 1 })
	assert.Equal(t, []string{"say hi"}, n2.Commands(uuid))
}
