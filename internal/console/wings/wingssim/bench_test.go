package wingssim

import (
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/panelbot/panelbot/internal/clock"
)

// busyNode starts servers servers, each writing rate lines a second with
// one authenticated client draining its socket.
func busyNode(b *testing.B, servers, rate int, opts ...Option) (*Node, []string) {
	b.Helper()
	n := New(b, append(opts, WithStatsEvery(0), WithStallTimeout(time.Minute))...)
	uuids := make([]string, servers)
	for i := range uuids {
		uuids[i] = fmt.Sprintf("0f3a2d1c-aaaa-4bbb-8ccc-%012d", i)
		n.SetState(uuids[i], "running")
		tok, socket, err := n.Credentials(uuids[i])
		if err != nil {
			b.Fatal(err)
		}
		ws, _, err := websocket.DefaultDialer.Dial(socket, map[string][]string{"Origin": {n.Origin()}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = ws.Close() })
		send(b, ws, "auth", tok)
		go drain(ws)
		n.StreamLines(uuids[i], rate, "busy line %d")
	}
	return n, uuids
}

func drain(ws *websocket.Conn) {
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
	}
}

// BenchmarkBusyNodeManualClock measures one simulated second of 100
// servers at 200 lines/s each: 20,000 lines generated and written.
func BenchmarkBusyNodeManualClock(b *testing.B) {
	n, uuids := busyNode(b, 100, 200)
	b.ResetTimer()
	for i := range b.N {
		n.Advance(time.Second)
		want := 200 * (i + 1)
		n.Await("every line written", func() bool {
			for _, u := range uuids {
				if n.LiveLines(u) < want {
					return false
				}
			}
			return true
		})
	}
}

// BenchmarkBusyNodeRealClock runs 100 servers at 200 lines/s each for one
// real second per iteration and reports the lines written.
func BenchmarkBusyNodeRealClock(b *testing.B) {
	n, uuids := busyNode(b, 100, 200, WithClock(clock.Real{}))
	b.ResetTimer()
	for range b.N {
		<-time.After(time.Second)
	}
	total := 0
	for _, u := range uuids {
		total += n.LiveLines(u)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "lines/s")
}
