package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
)

// stateCodes are the states as stored. Fixed forever: files in the field
// hold these numbers. A state not listed is stored as unknown.
var stateCodes = map[panel.State]int{
	panel.StateUnknown:  0,
	panel.StateOffline:  1,
	panel.StateStarting: 2,
	panel.StateRunning:  3,
	panel.StateStopping: 4,
}

// codeRunning is stateCodes[panel.StateRunning], for SQL that counts it.
const codeRunning = 3

// stateOf turns a stored code back into a state.
func stateOf(code int) panel.State {
	for st, c := range stateCodes {
		if c == code {
			return st
		}
	}
	return panel.StateUnknown
}

// AppendSamples records one poll of several servers in one transaction.
func (s *Store) AppendSamples(ctx context.Context, rs []store.Reading) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ensure, insert := tx.StmtContext(ctx, s.stmts.ensureServer), tx.StmtContext(ctx, s.stmts.insertSample)
		for _, r := range rs {
			if _, err := ensure.ExecContext(ctx, r.Server); err != nil {
				return fmt.Errorf("intern server %q: %w", r.Server, err)
			}
			if _, err := insert.ExecContext(ctx, sampleArgs(r)...); err != nil {
				return fmt.Errorf("sample of %s: %w", r.Server, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("append %d samples: %w", len(rs), err)
	}
	return nil
}

// sampleArgs are insertSample's parameters for one reading: the figures
// are NULL when the panel gave none, CPU is kept in tenths of a percent.
func sampleArgs(r store.Reading) []any {
	res := r.Resources
	args := []any{r.Server, r.At.Unix(), stateCodes[panel.ParseState(string(res.State))]}
	if !res.Live {
		return append(args, nil, nil, nil, nil, nil)
	}
	return append(args, int64(math.Round(res.CPUPercent*10)), res.MemoryBytes, res.DiskBytes,
		res.NetworkRxBytes, res.NetworkTxBytes)
}

// FindSamples returns a server's history with At in [from, to), oldest
// first. With store.Buckets, from is rounded down to a bucket's start, so
// the bucket holding from is included.
func (s *Store) FindSamples(ctx context.Context, server string, from, to time.Time, res store.Resolution) ([]store.Sample, error) {
	var out []store.Sample
	var err error
	switch res {
	case store.Raw:
		out, err = s.findRaw(ctx, server, from.Unix(), to.Unix())
	case store.Buckets:
		out, err = s.findBuckets(ctx, server, floorBucket(from.Unix()), ceilBucket(to.Unix()))
	default:
		err = fmt.Errorf("unknown resolution %d", res)
	}
	if err != nil {
		return nil, fmt.Errorf("find samples of %s: %w", server, err)
	}
	return out, nil
}

// findRaw reads raw samples with at in [lo, hi).
func (s *Store) findRaw(ctx context.Context, server string, lo, hi int64) ([]store.Sample, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, state, cpu, mem, disk, rx, tx FROM samples
		WHERE server_id = `+serverID+` AND at >= ? AND at < ? ORDER BY at`, server, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Sample
	for rows.Next() {
		var at int64
		var code int
		var cpu, mem, disk, rx, tx sql.NullInt64
		if err := rows.Scan(&at, &code, &cpu, &mem, &disk, &rx, &tx); err != nil {
			return nil, err
		}
		b := bucketRow{start: at, n: 1, lastAt: at, state: code, cpuAvg: cpu, cpuMax: cpu,
			memAvg: mem, memMax: mem, disk: disk, rx: rx, tx: tx}
		if cpu.Valid {
			b.live = 1
		}
		if code == codeRunning {
			b.running = 1
		}
		out = append(out, b.sample(0))
	}
	return out, rows.Err()
}

// findBuckets reads the buckets starting in [lo, hi): those kept, and those
// made on the fly from the raw samples not yet merged. A bucket can come
// from both when samples arrived after it was made; the two are merged.
func (s *Store) findBuckets(ctx context.Context, server string, lo, hi int64) ([]store.Sample, error) {
	q := `SELECT ` + bucketColumns + ` FROM buckets WHERE server_id = ` + serverID + ` AND bucket >= ? AND bucket < ?
		UNION ALL ` + rawBuckets("server_id = "+serverID+" AND at >= ? AND at < ?") + `
		ORDER BY bucket, last_at`
	rows, err := s.db.QueryContext(ctx, q, server, lo, hi, server, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bs []bucketRow
	for rows.Next() {
		var b bucketRow
		if err := b.scan(rows); err != nil {
			return nil, err
		}
		if n := len(bs); n > 0 && bs[n-1].start == b.start {
			bs[n-1] = bs[n-1].merge(b)
			continue
		}
		bs = append(bs, b)
	}
	out := make([]store.Sample, len(bs))
	for i, b := range bs {
		out[i] = b.sample(store.BucketSpan)
	}
	return out, rows.Err()
}
