package wingssim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTickerWarnsAndTokenExpiredOnlyInTheExpirySecond(t *testing.T) {
	n := New(t, WithTokenLifetime(90*time.Second), WithStatsEvery(0))
	n.SetState(uuid, "running")
	ws := authed(t, n)
	n.Advance(30 * time.Second) // exp - now = 60
	expect(t, ws, "token expiring")
	n.Advance(60 * time.Second) // ticks at 60 (30 left) and at 90 (the expiry second)
	expect(t, ws, "token expiring")
	expect(t, ws, "token expired")
	n.Advance(30 * time.Second) // past exp: the tick's event is replaced
	expect(t, ws, "jwt error", "jwt: exp claim is invalid")
}

func TestTickThatMissesTheExpirySecondSendsNoTokenExpired(t *testing.T) {
	n := New(t, WithTokenLifetime(100*time.Second), WithStatsEvery(0))
	n.SetState(uuid, "running")
	ws := authed(t, n)
	n.Advance(120 * time.Second) // ticks with 70, 40, 10 and -20 s left
	expect(t, ws, "token expiring")
	expect(t, ws, "token expiring")
	expect(t, ws, "jwt error", "jwt: exp claim is invalid")
	assert.NotContains(t, sent(n, 0), "token expired")
}

func TestTokenWorksUntilAboutExpPlusOneSecond(t *testing.T) {
	n := New(t, WithTokenLifetime(10*time.Second), WithStatsEvery(0))
	n.SetState(uuid, "running")
	ws := authed(t, n)
	n.Advance(10*time.Second + 999*time.Millisecond) // still the second of exp
	send(t, ws, "send stats")
	expect(t, ws, "stats")
	n.Advance(time.Millisecond)
	send(t, ws, "send stats")
	expect(t, ws, "jwt error", "jwt: exp claim is invalid")
}

func TestExpiryReplacesEveryEventKeepsTheSocketAndReauthRestores(t *testing.T) {
	n := New(t, WithTokenLifetime(75*time.Second), WithStatsEvery(0))
	n.SetState(uuid, "running")
	ws := authed(t, n)
	n.Advance(77 * time.Second) // ticks at 30 and 60 s warn; exp passes between ticks
	expect(t, ws, "token expiring")
	expect(t, ws, "token expiring")
	n.Emit(uuid, "lost line")
	expect(t, ws, "jwt error", "jwt: exp claim is invalid")
	n.SetState(uuid, "stopping")
	expect(t, ws, "jwt error", "jwt: exp claim is invalid")
	send(t, ws, "send logs")
	expect(t, ws, "jwt error", "jwt: exp claim is invalid")
	assert.Equal(t, 1, n.Sockets(uuid), "the socket stays open")

	send(t, ws, "auth", token(t, n))
	expect(t, ws, "auth success")
	n.Emit(uuid, "visible line")
	expect(t, ws, "console output", "visible line")
	settle(t, n, 3)
	got := sent(n, 0)
	require.GreaterOrEqual(t, len(got), 2)
	assert.Equal(t, []string{"auth success", "console output"}, got[len(got)-2:], "re-auth sends no status")
}

func TestStatsAboutOnceASecondWhileRunning(t *testing.T) {
	n := New(t)
	n.SetState(uuid, "running")
	ws := authed(t, n)
	n.Advance(2 * time.Second)
	expect(t, ws, "stats")
	expect(t, ws, "stats")
	n.SetState(uuid, "offline")
	expect(t, ws, "status", "offline")
	expect(t, ws, "stats")
	n.Advance(5 * time.Second)
	send(t, ws, "send stats") // a marker: periodic stats would come before it
	expect(t, ws, "stats")
	settle(t, n, 2)
	assert.Len(t, n.History(uuid)[0].Sent, 7)
}
