package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/store/sqlite"
	"github.com/panelbot/panelbot/internal/store/storetest"
)

// BenchmarkHistory7Days50Servers writes what the bot would over 7 days for
// 50 watched servers: a poll every 30 s (one transaction of 50 samples)
// and Maintain every 5 minutes, so raw samples older than a day are merged
// into buckets as they age. It reports the file's size at the end (after
// Close, WAL checkpointed) and the growth per server per day once the raw
// day is full (only buckets accumulate then, until History).
//
//	go test -run '^$' -bench History7Days -benchtime 1x ./internal/store/sqlite
func BenchmarkHistory7Days50Servers(b *testing.B) {
	const servers, days = 50, 7
	perDay := int(24 * time.Hour / store.RawInterval)
	for b.Loop() {
		ctx := context.Background()
		dir := b.TempDir()
		s, err := sqlite.Open(ctx, dir)
		require.NoError(b, err)
		poll := newPoller(servers)
		var day1 int64
		for tick := range days * perDay {
			now := storetest.T0.Add(time.Duration(tick) * store.RawInterval)
			require.NoError(b, s.AppendSamples(ctx, poll.readings(now)))
			if tick%10 == 9 {
				_, err := s.Maintain(ctx, now)
				require.NoError(b, err)
			}
			if tick == perDay-1 {
				day1 = usedBytes(b, s.Path())
			}
		}
		used := usedBytes(b, s.Path())
		require.NoError(b, s.Close())
		st, err := os.Stat(s.Path())
		require.NoError(b, err)
		b.ReportMetric(float64(st.Size())/1e6, "file-MB")
		b.ReportMetric(float64(day1)/servers/1e3, "raw-day-KB/server")
		b.ReportMetric(float64(used-day1)/(days-1)/servers/1e3, "growth-KB/server/day")
	}
}

// usedBytes is the size of the pages in use (the file less its free
// pages, WAL included), read through a second, read-only handle.
func usedBytes(b *testing.B, path string) int64 {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(b, err)
	defer db.Close()
	var pages, free, size int64
	require.NoError(b, db.QueryRow(`SELECT (SELECT page_count FROM pragma_page_count),
		(SELECT freelist_count FROM pragma_freelist_count), (SELECT page_size FROM pragma_page_size)`).Scan(&pages, &free, &size))
	return (pages - free) * size
}

// poller makes plausible readings: CPU wandering between 0 and 400 %,
// memory around a few GiB, disk slowly growing, network counters rising,
// a server offline now and then.
type poller struct {
	rnd               *rand.Rand
	mem, disk, rx, tx []int64
}

func newPoller(n int) *poller {
	p := &poller{rnd: rand.New(rand.NewPCG(1, 2)), mem: make([]int64, n), disk: make([]int64, n), rx: make([]int64, n), tx: make([]int64, n)}
	for i := range n {
		p.mem[i], p.disk[i] = int64(1+i%4)<<30, int64(2+i%8)<<30
	}
	return p
}

func (p *poller) readings(at time.Time) []store.Reading {
	rs := make([]store.Reading, len(p.mem))
	for i := range rs {
		p.mem[i] = min(max(p.mem[i]+p.rnd.Int64N(64<<20)-32<<20, 256<<20), 8<<30)
		p.disk[i] += p.rnd.Int64N(1 << 20)
		p.rx[i] += p.rnd.Int64N(30 << 20)
		p.tx[i] += p.rnd.Int64N(10 << 20)
		r := panel.Resources{State: panel.StateRunning, Live: true, CPUPercent: p.rnd.Float64() * 400,
			MemoryBytes: p.mem[i], DiskBytes: p.disk[i], NetworkRxBytes: p.rx[i], NetworkTxBytes: p.tx[i]}
		if p.rnd.IntN(1000) == 0 {
			r = panel.Resources{State: panel.StateOffline}
		}
		rs[i] = store.Reading{Server: fmt.Sprintf("main/%08x", i), At: at, Resources: r}
	}
	return rs
}
