package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// FindConsoleTail returns the console lines kept for a server, oldest
// first; none when nothing was kept.
func (s *Store) FindConsoleTail(ctx context.Context, server string) ([]string, error) {
	var raw string
	err := s.db.QueryRowContext(ctx, "SELECT lines FROM console_tails WHERE server_id = "+serverID, server).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find console tail of %s: %w", server, err)
	}
	var lines []string
	if err := json.Unmarshal([]byte(raw), &lines); err != nil {
		return nil, fmt.Errorf("find console tail of %s: %w", server, err)
	}
	return lines, nil
}

// ReplaceConsoleTail keeps the newest of lines (at most the store's tail
// limit) in place of what was kept for the server, in one statement: a
// crash leaves the old tail or the new one, never a mix.
func (s *Store) ReplaceConsoleTail(ctx context.Context, server string, lines []string, at time.Time) error {
	lines = lines[max(0, len(lines)-s.tailLines):]
	if lines == nil {
		lines = []string{}
	}
	raw, err := json.Marshal(lines)
	if err != nil {
		return fmt.Errorf("replace console tail of %s: %w", server, err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := ensureServers(ctx, tx, server); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO console_tails (server_id, lines, updated_at)
			VALUES (`+serverID+`, ?, ?)
			ON CONFLICT (server_id) DO UPDATE SET lines = excluded.lines, updated_at = excluded.updated_at`,
			server, string(raw), at.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("replace console tail of %s: %w", server, err)
	}
	return nil
}
