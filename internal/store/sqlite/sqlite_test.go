package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/store/sqlite"
	"github.com/panelbot/panelbot/internal/store/storetest"
)

// open opens a store in dir that the test closes.
func open(t *testing.T, dir string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), dir, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, t.TempDir(), sqlite.WithTailLines(20))
	}, 20)
}

func TestOpenCreatesPrivateDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s := open(t, dir)
	st, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	st, err = os.Stat(s.Path())
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	assert.Equal(t, filepath.Join(dir, sqlite.FileName), s.Path())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".probe", "the writability probe is removed")
	}
}

func TestWithTailLinesRejectsZero(t *testing.T) {
	_, err := sqlite.Open(context.Background(), t.TempDir(), sqlite.WithTailLines(0))
	require.Error(t, err)
}

// TestPragmas: what the package doc promises about the connection, read
// back through a second handle on the file.
func TestPragmas(t *testing.T) {
	s := open(t, t.TempDir())
	db, err := sql.Open("sqlite", s.Path())
	require.NoError(t, err)
	defer db.Close()
	var mode string
	var app, version int
	require.NoError(t, db.QueryRow("PRAGMA journal_mode").Scan(&mode))
	require.NoError(t, db.QueryRow("PRAGMA application_id").Scan(&app))
	require.NoError(t, db.QueryRow("PRAGMA user_version").Scan(&version))
	assert.Equal(t, "wal", mode, "WAL is a property of the file")
	assert.Equal(t, 0x70626f74, app)
	assert.Equal(t, sqlite.SchemaVersion(), version)
}

// TestReopenKeepsDataAndIsIdempotent: a closed store reopens with its data
// and its schema version unchanged, however often.
func TestReopenKeepsDataAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, dir)
	require.NoError(t, err)
	require.NoError(t, s.ReplaceConsoleTail(ctx, "main/a", []string{"one", "two"}, storetest.T0))
	require.NoError(t, s.Close())
	for range 3 {
		s, err := sqlite.Open(ctx, dir)
		require.NoError(t, err)
		got, err := s.FindConsoleTail(ctx, "main/a")
		require.NoError(t, err)
		assert.Equal(t, []string{"one", "two"}, got)
		require.NoError(t, s.Close())
		info, err := sqlite.Check(ctx, dir)
		require.NoError(t, err)
		assert.Equal(t, sqlite.SchemaVersion(), info.Version)
	}
}

// TestOpenAcceptsAnEmptyFile: a crash between creating the file and the
// first migration leaves it empty; that is a new database, not a foreign
// file.
func TestOpenAcceptsAnEmptyFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, sqlite.FileName), nil, 0o600))
	open(t, dir)
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	info, err := sqlite.Check(ctx, dir)
	require.NoError(t, err)
	assert.False(t, info.Exists)
	assert.Contains(t, info.String(), "created at start")
	_, err = os.Stat(dir)
	assert.ErrorIs(t, err, os.ErrNotExist, "Check creates nothing")

	s := open(t, dir)
	info, err = sqlite.Check(ctx, dir)
	require.NoError(t, err, "beside an open store")
	assert.True(t, info.Exists)
	assert.Equal(t, sqlite.SchemaVersion(), info.Version)
	assert.Positive(t, info.Bytes)
	assert.Contains(t, info.String(), fmt.Sprintf("%s: schema version %d of %d", s.Path(), sqlite.SchemaVersion(), sqlite.SchemaVersion()))
}

func TestPingWrites(t *testing.T) {
	s, err := sqlite.Open(t.Context(), t.TempDir())
	require.NoError(t, err)
	require.NoError(t, s.Ping(t.Context()))
	require.NoError(t, s.Ping(t.Context()), "twice: the row is rewritten")
	require.NoError(t, s.Close())
	assert.Error(t, s.Ping(t.Context()), "a closed store is not healthy")
}
