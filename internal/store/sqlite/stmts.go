package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// statements are the prepared statements of the hot path: every poll
// appends a sample per watched server.
type statements struct {
	ensureServer *sql.Stmt
	insertSample *sql.Stmt
}

// prepare prepares them on db.
func (st *statements) prepare(ctx context.Context, db *sql.DB) error {
	var err error
	if st.ensureServer, err = db.PrepareContext(ctx,
		"INSERT INTO servers (key) VALUES (?) ON CONFLICT (key) DO NOTHING"); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	st.insertSample, err = db.PrepareContext(ctx, `INSERT INTO samples (server_id, at, state, cpu, mem, disk, rx, tx)
		VALUES (`+serverID+`, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (server_id, at) DO UPDATE SET state = excluded.state, cpu = excluded.cpu,
			mem = excluded.mem, disk = excluded.disk, rx = excluded.rx, tx = excluded.tx`)
	if err != nil {
		return errors.Join(fmt.Errorf("prepare: %w", err), st.close())
	}
	return nil
}

// close closes the prepared statements.
func (st *statements) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{st.ensureServer, st.insertSample} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}
