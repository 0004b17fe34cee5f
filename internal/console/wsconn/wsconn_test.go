package wsconn

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echo is a loopback websocket server that sends back what it reads, upper
// cased, and a binary frame the decoder drops.
func echo(t *testing.T) string {
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		_ = ws.WriteMessage(websocket.BinaryMessage, []byte{0})
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			_ = ws.WriteMessage(websocket.TextMessage, []byte(strings.ToUpper(string(data))))
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func config(before func(context.Context, string) error) Config[string] {
	return Config[string]{ReadLimit: 1 << 10, PongWait: time.Minute, PingPeriod: 50 * time.Second, WriteWait: time.Second,
		Inbox: 4, Before: before, Decode: func(mt int, data []byte) []string {
			if mt != websocket.TextMessage {
				return nil
			}
			return []string{string(data)}
		}}
}

func TestReaderDecodesAndWriterPaces(t *testing.T) {
	ws, _, err := websocket.DefaultDialer.Dial(echo(t), nil)
	require.NoError(t, err)
	paced := make(chan string, 4)
	c := Start(ws, config(func(_ context.Context, event string) error { paced <- event; return nil }))
	require.NoError(t, c.Send("greet", []byte("hello")))
	assert.Equal(t, "greet", <-paced, "the owner's pacing runs before the write")
	assert.Equal(t, "HELLO", <-c.In(), "the binary frame was dropped by Decode")
	c.Close(true)
	_, open := <-c.In()
	assert.False(t, open, "Close ends the reader")
	assert.Error(t, c.Err())
}

func TestSendNeverWaits(t *testing.T) {
	ws, _, err := websocket.DefaultDialer.Dial(echo(t), nil)
	require.NoError(t, err)
	hold := make(chan struct{})
	c := Start(ws, config(func(ctx context.Context, _ string) error {
		select {
		case <-hold:
		case <-ctx.Done():
		}
		return ctx.Err()
	}))
	var busy error
	for i := 0; i < outSize+2 && busy == nil; i++ {
		busy = c.Send("x", []byte("x"))
	}
	assert.ErrorIs(t, busy, ErrBusy, "a full queue refuses at once")
	c.Close(false) // joins a writer stuck in its pacing
	close(hold)
}
