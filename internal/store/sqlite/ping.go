package sqlite

import (
	"context"
	"fmt"
	"time"
)

// Ping proves the store takes writes: it rewrites one row, committed and
// synced like every write, so a full disk or a file turned read-only shows
// here (and /healthz answers 503) before the history starts failing.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO health (id, at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at`, time.Now().Unix())
	if err != nil {
		return fmt.Errorf("store %s takes no writes: %w", s.path, err)
	}
	return nil
}
