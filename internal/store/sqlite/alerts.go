package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/panelbot/panelbot/internal/store"
)

// FindAlert returns the episode kept for a server and kind.
func (s *Store) FindAlert(ctx context.Context, server string, kind store.AlertCondition) (store.Alert, error) {
	a := store.Alert{Server: server, Condition: kind}
	var since, notified, recovered sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT since, notified, recovered FROM alerts
		WHERE server_id = `+serverID+` AND kind = ?`, server, string(kind)).Scan(&since, &notified, &recovered)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Alert{}, fmt.Errorf("find alert %s on %s: %w", kind, server, err)
	}
	a.Since, a.Notified, a.Recovered = fromUnix(since), fromUnix(notified), fromUnix(recovered)
	return a, nil
}

// FindAlerts lists every kept episode by server and kind.
func (s *Store) FindAlerts(ctx context.Context) ([]store.Alert, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.key, a.kind, a.since, a.notified, a.recovered
		FROM alerts a JOIN servers s ON s.id = a.server_id ORDER BY s.key, a.kind`)
	if err != nil {
		return nil, fmt.Errorf("find alerts: %w", err)
	}
	defer rows.Close()
	var out []store.Alert
	for rows.Next() {
		var a store.Alert
		var since, notified, recovered sql.NullInt64
		if err := rows.Scan(&a.Server, &a.Condition, &since, &notified, &recovered); err != nil {
			return nil, fmt.Errorf("find alerts: %w", err)
		}
		a.Since, a.Notified, a.Recovered = fromUnix(since), fromUnix(notified), fromUnix(recovered)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find alerts: %w", err)
	}
	return out, nil
}

// PutAlert stores a's episode in place of the one kept for its server and
// kind. An episode needs its start.
func (s *Store) PutAlert(ctx context.Context, a store.Alert) error {
	if a.Since.IsZero() {
		return fmt.Errorf("put alert %s on %s: the episode has no start (Since)", a.Condition, a.Server)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := ensureServers(ctx, tx, a.Server); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO alerts (server_id, kind, since, notified, recovered)
			VALUES (`+serverID+`, ?, ?, ?, ?)
			ON CONFLICT (server_id, kind) DO UPDATE SET
				since = excluded.since, notified = excluded.notified, recovered = excluded.recovered`,
			a.Server, string(a.Condition), unix(a.Since), unix(a.Notified), unix(a.Recovered))
		return err
	})
	if err != nil {
		return fmt.Errorf("put alert %s on %s: %w", a.Condition, a.Server, err)
	}
	return nil
}
