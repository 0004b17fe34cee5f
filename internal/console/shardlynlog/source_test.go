package shardlynlog

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/shardlyn/shardsim"
)

const historyPath = "/v1/instances/i-1/logs/history"

func TestStreamRelaysLines(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "before connect") // replayed on connect
	h.expect("line:before connect")
	h.sim.Emit(instanceID, "one", "two\nthree")
	h.expect("line:one", "line:two", "line:three")
	assert.Equal(t, shardsim.AuthAPIToken, h.sim.Requests()[0].Auth)
}

func TestReconnectWhoseReplayOverlapsRelaysNoLineTwice(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "a", "b")
	h.expect("line:a", "line:b")
	h.sim.Drop(instanceID)
	h.expect("notice:" + noticeLost)
	h.sim.Emit(instanceID, "c") // missed while disconnected
	assert.Equal(t, time.Second, h.reconnect(), "first backoff step")
	// The new socket replays a, b, c: only c is new.
	h.expect("notice:"+noticeBack, "line:c")
	h.sim.Emit(instanceID, "d")
	h.expect("line:d")
	h.quiet()
	assert.Zero(t, h.sim.Count(http.MethodGet, historyPath), "the socket's replay reached back")
}

func TestReconnectWhoseSocketReplaysNothingFillsFromHistory(t *testing.T) {
	h := start(t, false, nil, shardsim.WithReplay(0))
	h.connected()
	h.sim.Emit(instanceID, "a", "b")
	h.expect("line:a", "line:b")
	h.sim.Drop(instanceID)
	h.expect("notice:" + noticeLost)
	h.sim.Emit(instanceID, "c", "d") // missed while disconnected
	h.reconnect()
	// The marker e, sent after the history is read, comes straight after
	// c and d: no "may be missing" between, a and b not again.
	h.expect("notice:"+noticeBack, "line:c", "line:d")
	h.sim.Emit(instanceID, "e")
	h.expect("line:e")
	h.quiet()
	assert.Equal(t, 1, h.sim.Count(http.MethodGet, historyPath))
}

func TestGapBeyondTheHistoryIsNoticed(t *testing.T) {
	h := start(t, false, []Option{WithWindow(3)}, shardsim.WithReplay(0))
	h.connected()
	h.sim.Emit(instanceID, "a", "b")
	h.expect("line:a", "line:b")
	h.sim.Drop(instanceID)
	h.expect("notice:" + noticeLost)
	h.sim.Emit(instanceID, "1", "2", "3", "4", "5") // more than the window
	h.reconnect()
	h.expect("notice:"+noticeBack, "line:3", "line:4", "line:5", "notice:"+noticeGap)
}

// A new line that looks like the start of a replay, first on a socket that
// replays nothing, is relayed: the history shows it was printed again.
func TestNewLineThatLooksLikeAReplayIsRelayed(t *testing.T) {
	h := start(t, false, []Option{WithHold(300 * time.Millisecond)}, shardsim.WithReplay(0))
	h.connected()
	h.sim.Emit(instanceID, "a", "b")
	h.expect("line:a", "line:b")
	h.sim.Drop(instanceID)
	h.expect("notice:" + noticeLost)
	h.reconnect()
	h.expect("notice:" + noticeBack)
	h.connected()
	h.sim.Emit(instanceID, "a")
	h.expect("line:a")
	h.sim.Emit(instanceID, "c")
	h.expect("line:c")
}

func TestStreamSurvivesAccessTokenExpiry(t *testing.T) {
	h := start(t, true, nil)
	h.sim.Emit(instanceID, "a", "b")
	h.expect("line:a", "line:b")

	h.clk.Advance(shardsim.AccessTokenTTL + time.Second)
	h.sim.Emit(instanceID, "c") // the socket is closed for the expired token instead
	h.expect("line:c")          // after reconnecting with a fresh token; a and b not again
	h.sim.Emit(instanceID, "d")
	h.expect("line:d")
	h.quiet()

	assert.Equal(t, 1, h.sim.Count(http.MethodPost, "/v1/auth/login"))
	assert.Equal(t, 1, h.sim.Count(http.MethodPost, "/v1/auth/refresh"))
	assert.Equal(t, 2, h.sim.Count(http.MethodGet, "/v1/instances/i-1/logs"))
	assert.Empty(t, h.waits, "an expired token is renewed at once, without backoff")
}

func TestStreamSurvivesTwoExpiriesInARow(t *testing.T) {
	h := start(t, true, nil)
	for i, line := range []string{"x", "y", "z"} {
		if i > 0 {
			h.clk.Advance(shardsim.AccessTokenTTL)
		}
		h.sim.Emit(instanceID, line)
		h.expect("line:" + line)
	}
	assert.Equal(t, 2, h.sim.Count(http.MethodPost, "/v1/auth/refresh"))
}

func TestStreamRelaysABurstWholeAndInOrder(t *testing.T) {
	h := start(t, false, nil)
	h.connected()
	const n = 2000 // more than the reader's inbox: nothing is dropped
	for i := range n {
		h.sim.Emit(instanceID, strconv.Itoa(i))
	}
	for i := range n {
		h.expect("line:" + strconv.Itoa(i))
	}
}

func TestStreamStopsWhenTheInstanceIsGone(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "a")
	h.expect("line:a")
	h.sim.RemoveInstance(instanceID)
	h.expect("notice:" + noticeLost)
	h.reconnect()
	h.expect("notice:" + noticeGone)
	h.ended(panel.ErrNotFound)
}

func TestStreamStopsWhenTheAPITokenIsRevoked(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "a")
	h.expect("line:a")
	h.sim.RevokeAPIToken()
	h.sim.Drop(instanceID)
	h.expect("notice:" + noticeLost)
	h.reconnect()
	ev := h.next()
	assert.Equal(t, "notice", ev.Kind)
	assert.Contains(t, ev.Text, "refused the bot's credentials")
	h.ended(panel.ErrUnauthorized)
}

func TestStreamStopsOnMFA(t *testing.T) {
	h := start(t, true, nil, shardsim.WithMFA(shardsim.DefaultEmail))
	ev := h.next()
	assert.Equal(t, "notice", ev.Kind)
	assert.Contains(t, ev.Text, "requires MFA")
	h.ended(panel.ErrConfig)
}

func TestStreamKeepsRetryingWhileThePanelIsDown(t *testing.T) {
	h := start(t, false, nil)
	h.sim.Emit(instanceID, "a")
	h.expect("line:a")
	h.sim.SetDown(true)
	h.sim.Drop(instanceID)
	h.expect("notice:" + noticeLost)
	for _, want := range []time.Duration{1, 2} {
		assert.Equal(t, want*time.Second, h.reconnect(), "growing backoff, one notice")
	}
	d := h.wait()
	assert.Equal(t, 4*time.Second, d)
	h.sim.SetDown(false)
	h.clk.Advance(d)
	h.expect("notice:" + noticeBack)
	h.sim.Emit(instanceID, "b")
	h.expect("line:b")
}

func TestNewValidates(t *testing.T) {
	_, err := New(nil, "i-1")
	assert.Error(t, err)
	_, err = New(fakeSocketer{}, "")
	assert.Error(t, err)
	_, err = New(fakeSocketer{}, "i-1", WithWindow(0))
	assert.Error(t, err)
	_, err = New(fakeSocketer{}, "i-1", WithClock(nil))
	assert.Error(t, err)
}

// TestStreamLeavesNoGoroutine: every goroutine of a stream (its
// connection's reader and writer included) ends with the stream's context.
func TestStreamLeavesNoGoroutine(t *testing.T) {
	h := start(t, true, nil)
	h.sim.Emit(instanceID, "a")
	h.expect("line:a")
	h.cancel()
	h.ended(context.Canceled)
	noGoroutineLeft(t)
}
