package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// queryer is what reads need: a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// execer is what writes need inside a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ensureServers interns server keys, inside the caller's transaction so that
// a rolled-back write leaves no trace. Statements then find a server's id
// with serverID.
func ensureServers(ctx context.Context, tx execer, keys ...string) error {
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, "INSERT INTO servers (key) VALUES (?) ON CONFLICT (key) DO NOTHING", k); err != nil {
			return fmt.Errorf("intern server %q: %w", k, err)
		}
	}
	return nil
}

// serverID is the subquery that turns a key parameter into its id.
const serverID = "(SELECT id FROM servers WHERE key = ?)"

// unix is a time as stored: unix seconds, NULL for the zero time.
func unix(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

// fromUnix reads a stored time back, in UTC; NULL is the zero time.
func fromUnix(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}
