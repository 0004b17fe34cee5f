package wingssim

import (
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDropEndsEverySocketWithoutACloseFrame(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	a, b := authed(t, n), authed(t, n)
	n.Drop(uuid)
	for _, ws := range []*websocket.Conn{a, b} {
		err := readClose(t, ws)
		assert.True(t, websocket.IsUnexpectedCloseError(err), "got %v", err)
		assert.False(t, websocket.IsCloseError(err, websocket.CloseGoingAway))
	}
	n.Await("no sockets", func() bool { return n.Sockets(uuid) == 0 })
}

func TestRestartDropsSocketsDenylistsOlderTokensAndOutputGoesOn(t *testing.T) {
	n := New(t, WithStatsEvery(0), WithStallTimeout(time.Minute))
	n.SetState(uuid, "running")
	stream := n.StreamLines(uuid, 10, "tick %d")
	old := token(t, n)
	ws := authed(t, n)
	n.Restart()
	err := readClose(t, ws)
	var ce *websocket.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, websocket.CloseAbnormalClosure, ce.Code)

	ws = connect(t, n)
	send(t, ws, "auth", old)
	expect(t, ws, "jwt error", "Error Event ["+uuid+"]: jwt: created too far in past (denylist)")
	ws = authed(t, n)
	before := stream.Lines()
	n.Advance(time.Second)
	assert.Equal(t, before+10, stream.Lines())
	m := read(t, ws)
	assert.Equal(t, "console output", m.Event)
}

func TestRestartRefusesTokensOfTheBootSecond(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	n.mu.Lock()
	n.boot = n.clk.Now().Add(300 * time.Millisecond) // booted within this second
	n.mu.Unlock()
	ws := connect(t, n)
	send(t, ws, "auth", token(t, n))
	expect(t, ws, "jwt error", "Error Event ["+uuid+"]: jwt: created too far in past (denylist)")
	n.Advance(time.Second)
	send(t, ws, "auth", token(t, n))
	expect(t, ws, "auth success")
}

func TestSuspension(t *testing.T) {
	t.Run("pterodactyl drops and still accepts", func(t *testing.T) {
		n := New(t)
		n.SetState(uuid, "running")
		ws := authed(t, n)
		n.Suspend(uuid)
		err := readClose(t, ws)
		assert.True(t, websocket.IsCloseError(err, websocket.CloseAbnormalClosure), "got %v", err)
		connect(t, n)
	})
	t.Run("pelican closes with 4409", func(t *testing.T) {
		n := New(t, WithPelican())
		n.SetState(uuid, "running")
		ws := authed(t, n)
		n.Suspend(uuid)
		err := readClose(t, ws)
		require.True(t, websocket.IsCloseError(err, 4409), "got %v", err)
		assert.Contains(t, err.Error(), "server is suspended")
		err = readClose(t, connect(t, n))
		require.True(t, websocket.IsCloseError(err, 4409), "got %v", err)
		n.Unsuspend(uuid)
		authed(t, n)
	})
}

func TestDeletion(t *testing.T) {
	for _, pelican := range []bool{false, true} {
		var opts []Option
		if pelican {
			opts = append(opts, WithPelican())
		}
		n := New(t, opts...)
		n.SetState(uuid, "running")
		ws := authed(t, n)
		n.Delete(uuid)
		err := readClose(t, ws)
		if pelican {
			assert.True(t, websocket.IsCloseError(err, websocket.CloseAbnormalClosure), "got %v", err)
		} else {
			require.True(t, websocket.IsCloseError(err, websocket.CloseGoingAway), "got %v", err)
			assert.Contains(t, err.Error(), "server deleted")
		}
		_, resp, err := dial(t, n, n.Origin())
		require.Error(t, err)
		assert.Equal(t, 404, resp.StatusCode)
		_, _, err = n.Credentials(uuid)
		assert.Error(t, err)
	}
}

func TestCredentialsFailUntilHealed(t *testing.T) {
	n := New(t)
	down := errors.New("panel down")
	n.FailCredentials(down)
	_, _, err := n.Credentials(uuid)
	require.ErrorIs(t, err, down)
	n.HealCredentials()
	_, _, err = n.Credentials(uuid)
	require.NoError(t, err)
	assert.Equal(t, 2, n.CredentialsCalls())
}
