// Package sqlite keeps the bot's store (internal/store) in one SQLite file,
// DATA_DIR/panelbot.db, through modernc.org/sqlite.
//
// Why SQLite rather than bbolt: the history needs range queries, grouping
// and an atomic "merge these rows into buckets and delete them", which SQL
// says in one statement and a key-value store would need hand-written
// indexes for; the schema is versioned and readable by anyone with the
// sqlite3 shell (backups with .backup, inspection with SELECT); and
// modernc.org/sqlite is pure Go, so CGO_ENABLED=0 builds stay static. The
// same SQL carries over to PostgreSQL if several bot processes ever share a
// store.
//
// The file is opened in WAL mode with synchronous=FULL: every commit is on
// disk before the call returns, so neither kill -9 nor a power cut loses a
// committed write (WAL alone makes kill -9 safe at NORMAL; FULL adds the
// power cut). The bot commits about twice a minute plus console tails, so
// the fsync per commit costs nothing that matters. Foreign keys are on,
// write transactions take the write lock when they begin (no deadlocked
// upgrades), and a busy database is waited for up to busyTimeout.
//
// Open refuses a file it cannot trust instead of repairing it: an
// unwritable DATA_DIR, a file that is not a SQLite database, a damaged one,
// another program's, or one written by a newer bot all stop it with a
// *store.DataDirError. Nothing is ever overwritten or reset.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/panelbot/panelbot/internal/store"
)

// FileName is the database file's name under DATA_DIR.
const FileName = "panelbot.db"

// DefaultTailLines is how many console lines a tail keeps unless told
// otherwise: Wings' websocket_log_count, the most a replay repeats.
const DefaultTailLines = 150

const (
	// busyTimeout is how long a statement waits for another connection's
	// write to finish before failing.
	busyTimeout = 5 * time.Second
	// maxConns bounds the pool: WAL lets readers run beside the one
	// writer, and each connection holds its own page cache.
	maxConns = 4
)

// Store is the SQLite store. It is safe for concurrent use.
type Store struct {
	db        *sql.DB
	dir, path string
	tailLines int
	stmts     statements
}

var _ store.Store = (*Store)(nil)

// Option configures Open.
type Option func(*Store)

// WithTailLines sets how many console lines a tail keeps (at least 1).
func WithTailLines(n int) Option { return func(s *Store) { s.tailLines = n } }

// Open opens, or creates, the store under dataDir: dataDir is created (0700)
// and the file (0600) if missing, the file is checked, and the schema
// migrated to the version this binary knows. Errors about the directory or
// the file are *store.DataDirError.
func Open(ctx context.Context, dataDir string, opts ...Option) (*Store, error) {
	s := &Store{dir: dataDir, path: filepath.Join(dataDir, FileName), tailLines: DefaultTailLines}
	for _, o := range opts {
		o(s)
	}
	if s.tailLines < 1 {
		return nil, fmt.Errorf("open store: tail lines %d: must be at least 1", s.tailLines)
	}
	f, err := inspect(ctx, dataDir, s.path, true)
	if err != nil {
		return nil, err
	}
	if s.db, err = openDB(s.path, "rw"); err != nil {
		return nil, f.unusable("cannot be opened", err)
	}
	if err := s.start(ctx, f); err != nil {
		_ = s.db.Close()
		return nil, err
	}
	return s, nil
}

// start migrates the schema and prepares the hot statements. A failure to
// migrate names the file: the database refused a write.
func (s *Store) start(ctx context.Context, f fileInfo) error {
	if err := migrate(ctx, s.db, migrations); err != nil {
		return f.unusable("cannot be written", err)
	}
	return s.stmts.prepare(ctx, s.db)
}

// Close closes the database. The WAL is checkpointed into the file by
// SQLite when the last connection closes; a store that is never closed
// (kill -9) is recovered on the next Open.
func (s *Store) Close() error {
	return errors.Join(s.stmts.close(), s.db.Close())
}

// Path is the database file's path, for `bot check` and the log.
func (s *Store) Path() string { return s.path }

// openDB opens the file in SQLite's mode ("ro" or "rw"; never "rwc": the
// file is created by createFile with its permissions, and a file that
// vanished must not come back empty). The read-only handle sets nothing, so
// inspecting a file cannot change a byte of it.
func openDB(path, mode string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", path, err)
	}
	q := url.Values{"mode": {mode}}
	if mode == "rw" {
		q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "FULL")
		q.Set("_foreign_keys", "1")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	return db, nil
}

// tx runs fn in one write transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
