package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/panelbot/panelbot/internal/store"
)

// eachServer makes SQLite search each server's rows by the primary key
// (server_id, at) for the old end of its history, instead of scanning every
// row for a condition on time alone.
const eachServer = "server_id IN (SELECT id FROM servers)"

// downsample merges the raw samples older than a bucket boundary (the
// parameter) into buckets. A bucket already made (samples that arrived
// late) absorbs the new rows as bucketRow.merge does; in SQLite's upsert
// every column on the right reads the row as it was before the update.
// "WHERE true" is SQLite's required disambiguation of an upsert after a
// SELECT.
var downsample = `INSERT INTO buckets (` + bucketColumns + `) ` +
	rawBuckets(eachServer+" AND at < ?") + ` WHERE true
	ON CONFLICT (server_id, bucket) DO UPDATE SET
		n = n + excluded.n,
		running = running + excluded.running,
		live = live + excluded.live,
		state = CASE WHEN excluded.last_at >= last_at THEN excluded.state ELSE state END,
		last_at = max(last_at, excluded.last_at),
		` + meanSQL("cpu_avg") + `,
		` + meanSQL("mem_avg") + `,
		` + largerSQL("cpu_max") + `, ` + largerSQL("mem_max") + `,
		` + largerSQL("disk") + `, ` + largerSQL("rx") + `, ` + largerSQL("tx")

// meanSQL is the upsert's weighted mean of col, as mean.
func meanSQL(col string) string {
	return fmt.Sprintf(`%[1]s = CASE WHEN live + excluded.live = 0 THEN NULL
		ELSE CAST(round((ifnull(%[1]s, 0) * live + ifnull(excluded.%[1]s, 0) * excluded.live) * 1.0
			/ (live + excluded.live)) AS INTEGER) END`, col)
}

// largerSQL is the upsert's larger of col, as larger: SQLite's max() of
// several arguments is NULL when one is.
func largerSQL(col string) string {
	return fmt.Sprintf("%[1]s = max(ifnull(%[1]s, excluded.%[1]s), ifnull(excluded.%[1]s, %[1]s))", col)
}

// Maintain merges raw samples older than store.RawRetention (rounded down
// to a bucket boundary, so buckets are made whole) into 5-minute buckets
// and deletes them, then deletes buckets and recovered alert episodes
// older than store.History. One transaction: a crash leaves either the raw
// samples or their buckets, never both or neither. Call it every few
// minutes; the deleted pages are reused by new rows, so the file stops
// growing once the history is full.
func (s *Store) Maintain(ctx context.Context, now time.Time) (store.Maintenance, error) {
	var m store.Maintenance
	cut := floorBucket(now.Add(-store.RawRetention).Unix())
	old := now.Add(-store.History).Unix()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, downsample, cut); err != nil {
			return fmt.Errorf("downsample: %w", err)
		}
		steps := []struct {
			n     *int
			query string
			arg   int64
		}{
			{&m.Downsampled, "DELETE FROM samples WHERE " + eachServer + " AND at < ?", cut},
			{&m.PrunedBuckets, "DELETE FROM buckets WHERE " + eachServer + " AND bucket < ?", floorBucket(old)},
			{&m.PrunedAlerts, "DELETE FROM alerts WHERE recovered < ?", old},
		}
		for _, st := range steps {
			if err := count(tx.ExecContext(ctx, st.query, st.arg))(st.n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return store.Maintenance{}, fmt.Errorf("maintain store: %w", err)
	}
	return m, nil
}

// count returns a setter of the rows a statement affected.
func count(res sql.Result, err error) func(*int) error {
	return func(n *int) error {
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		*n = int(k)
		return err
	}
}
