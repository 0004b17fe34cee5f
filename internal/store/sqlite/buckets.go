package sqlite

import (
	"database/sql"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/store"
)

// span is store.BucketSpan in seconds, as the SQL uses it.
const span = int64(store.BucketSpan / time.Second)

// bucketColumns are a bucket's columns, in the order bucketRow.scan reads.
const bucketColumns = `server_id, bucket, n, running, live, last_at, state,
	cpu_avg, cpu_max, mem_avg, mem_max, disk, rx, tx`

// aggregateRaw groups the raw samples matching a condition ({where}) into
// buckets, giving bucketColumns. A bucket's state is that of its latest
// sample, found by last_at (the primary key makes it one lookup): SQLite
// can take a "bare" column from the row that holds a max() only when the
// query has a single max(), and this one has several. Means are rounded to
// integers, like the figures they average. (300 is span; state 3 is
// codeRunning.)
const aggregateRaw = `SELECT g.server_id, g.bucket, g.n, g.running, g.live, g.last_at,
	(SELECT r.state FROM samples r WHERE r.server_id = g.server_id AND r.at = g.last_at),
	g.cpu_avg, g.cpu_max, g.mem_avg, g.mem_max, g.disk, g.rx, g.tx
	FROM (SELECT server_id, at - at % 300 AS bucket, count(*) AS n,
		sum(state = 3) AS running, count(cpu) AS live, max(at) AS last_at,
		CAST(round(avg(cpu)) AS INTEGER) AS cpu_avg, max(cpu) AS cpu_max,
		CAST(round(avg(mem)) AS INTEGER) AS mem_avg, max(mem) AS mem_max,
		max(disk) AS disk, max(rx) AS rx, max(tx) AS tx
		FROM samples WHERE {where} GROUP BY server_id, bucket) g`

// rawBuckets is aggregateRaw over the samples matching where.
func rawBuckets(where string) string { return strings.Replace(aggregateRaw, "{where}", where, 1) }

// bucketRow is one bucket as stored: nullable figures, the state's code.
type bucketRow struct {
	start, n, running, live, lastAt int64
	state                           int
	cpuAvg, cpuMax, memAvg, memMax  sql.NullInt64
	disk, rx, tx                    sql.NullInt64
}

// scan reads bucketColumns.
func (b *bucketRow) scan(rows *sql.Rows) error {
	var server int64
	return rows.Scan(&server, &b.start, &b.n, &b.running, &b.live, &b.lastAt, &b.state,
		&b.cpuAvg, &b.cpuMax, &b.memAvg, &b.memMax, &b.disk, &b.rx, &b.tx)
}

// merge combines two rows of the same bucket as the maintenance's upsert
// does: counts add up, means are weighted by the samples that had figures,
// peaks and counters take the larger, the state comes from the later
// sample.
func (b bucketRow) merge(o bucketRow) bucketRow {
	m := b
	m.n, m.running, m.live = b.n+o.n, b.running+o.running, b.live+o.live
	m.cpuAvg, m.memAvg = mean(b.cpuAvg, b.live, o.cpuAvg, o.live), mean(b.memAvg, b.live, o.memAvg, o.live)
	m.cpuMax, m.memMax = larger(b.cpuMax, o.cpuMax), larger(b.memMax, o.memMax)
	m.disk, m.rx, m.tx = larger(b.disk, o.disk), larger(b.rx, o.rx), larger(b.tx, o.tx)
	if o.lastAt >= b.lastAt {
		m.lastAt, m.state = o.lastAt, o.state
	}
	return m
}

// mean is the weighted mean of two means, rounded like SQL's round().
func mean(a sql.NullInt64, na int64, b sql.NullInt64, nb int64) sql.NullInt64 {
	if na+nb == 0 {
		return sql.NullInt64{}
	}
	sum := float64(a.Int64*na + b.Int64*nb) // Int64 is 0 when not Valid
	return sql.NullInt64{Int64: int64(roundHalfAway(sum / float64(na+nb))), Valid: true}
}

// roundHalfAway rounds as SQLite's round() does.
func roundHalfAway(x float64) float64 {
	if x < 0 {
		return -roundHalfAway(-x)
	}
	return float64(int64(x + 0.5))
}

// larger is the larger value; NULL only when both are.
func larger(a, b sql.NullInt64) sql.NullInt64 {
	if !a.Valid || b.Valid && b.Int64 > a.Int64 {
		return b
	}
	return a
}

// sample turns the row into the domain's Sample.
func (b bucketRow) sample(s time.Duration) store.Sample {
	return store.Sample{
		At: time.Unix(b.start, 0).UTC(), Span: s,
		Count: int(b.n), Running: int(b.running), Live: int(b.live), State: stateOf(b.state),
		CPUPercent: float64(b.cpuAvg.Int64) / 10, CPUPeakPercent: float64(b.cpuMax.Int64) / 10,
		MemoryBytes: b.memAvg.Int64, MemoryPeakBytes: b.memMax.Int64,
		DiskBytes: b.disk.Int64, NetworkRxBytes: b.rx.Int64, NetworkTxBytes: b.tx.Int64,
	}
}

// floorBucket is the start of the bucket holding t (unix seconds).
func floorBucket(t int64) int64 { return t - ((t%span)+span)%span }

// ceilBucket is the first bucket start at or after t.
func ceilBucket(t int64) int64 {
	if f := floorBucket(t); f < t {
		return f + span
	}
	return t
}
