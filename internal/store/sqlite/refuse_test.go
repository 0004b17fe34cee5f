package sqlite_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/store/sqlite"
	"github.com/panelbot/panelbot/internal/store/storetest"
)

// refused opens dir, expecting the operator's error: a DataDirError, one
// line starting with DATA_DIR, naming what and saying what to do. Check
// must say the same.
func refused(t *testing.T, dir string, problem, fix string) *store.DataDirError {
	t.Helper()
	for _, open := range []func() error{
		func() error { _, err := sqlite.Open(context.Background(), dir); return err },
		func() error { _, err := sqlite.Check(context.Background(), dir); return err },
	} {
		err := open()
		require.Error(t, err)
		var dd *store.DataDirError
		require.ErrorAs(t, err, &dd)
		assert.ErrorIs(t, err, store.ErrDataDir)
		msg := err.Error()
		assert.True(t, strings.HasPrefix(msg, "DATA_DIR: "), msg)
		assert.NotContains(t, msg, "\n")
		assert.Contains(t, msg, problem)
		assert.Contains(t, msg, fix)
	}
	_, err := sqlite.Open(context.Background(), dir)
	t.Log(err)
	var dd *store.DataDirError
	errors.As(err, &dd)
	return dd
}

// fileSum is the database file's checksum, to prove it untouched.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return sha256.Sum256(b)
}

// filled makes a closed store with a few hundred pages in dir.
func filled(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir)
	require.NoError(t, err)
	var rs []store.Reading
	for i := range 5000 {
		rs = append(rs, store.Reading{Server: "main/" + string(rune('a'+i%20)), At: storetest.T0.Add(time.Duration(i) * time.Second),
			Resources: panel.Resources{State: panel.StateRunning, Live: true, CPUPercent: float64(i), MemoryBytes: int64(i) << 20}})
	}
	require.NoError(t, s.AppendSamples(ctx, rs))
	require.NoError(t, s.Close())
	return filepath.Join(dir, sqlite.FileName)
}

func TestRefusesAFileThatIsNotSQLite(t *testing.T) {
	for name, content := range map[string][]byte{
		"random bytes": randomBytes(t, 8192),
		"short":        []byte("SQLite format 3"),
		"text":         []byte("DISCORD_TOKEN=oops, wrong file\n"),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, sqlite.FileName)
			require.NoError(t, os.WriteFile(path, content, 0o600))
			dd := refused(t, dir, `"`+path+`" is not a SQLite database`, "move it out of DATA_DIR")
			assert.Equal(t, dir, dd.Dir)
			assert.Equal(t, content, must(os.ReadFile(path)), "never overwritten")
		})
	}
}

func TestRefusesADamagedDatabase(t *testing.T) {
	t.Run("truncated", func(t *testing.T) {
		dir := t.TempDir()
		path := filled(t, dir)
		st, err := os.Stat(path)
		require.NoError(t, err)
		require.NoError(t, os.Truncate(path, st.Size()/2))
		sum := fileSum(t, path)
		refused(t, dir, "is damaged", "restore it from a backup")
		assert.Equal(t, sum, fileSum(t, path), "never repaired or reset")
	})
	t.Run("pages overwritten", func(t *testing.T) {
		dir := t.TempDir()
		path := filled(t, dir)
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.WriteAt(randomBytes(t, 3*4096), 4*4096) // b-tree pages after the schema's
		require.NoError(t, err)
		require.NoError(t, f.Close())
		sum := fileSum(t, path)
		refused(t, dir, "is damaged", "restore it from a backup")
		assert.Equal(t, sum, fileSum(t, path))
	})
}

func TestRefusesANewerSchema(t *testing.T) {
	dir := t.TempDir()
	path := filled(t, dir)
	execSQL(t, path, "PRAGMA user_version = 99")
	sum := fileSum(t, path)
	refused(t, dir, fmt.Sprintf("was written by a newer panelbot (schema version 99; this one knows up to %d)", sqlite.SchemaVersion()),
		"run the newer panelbot that wrote it")
	assert.Equal(t, sum, fileSum(t, path))
}

func TestRefusesAnotherProgramsDatabase(t *testing.T) {
	for name, stmt := range map[string]string{
		"tables":         "CREATE TABLE notes (body TEXT)",
		"application id": "PRAGMA application_id = 42",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, sqlite.FileName)
			execSQL(t, path, stmt)
			sum := fileSum(t, path)
			refused(t, dir, "is another program's SQLite database", "move it out of DATA_DIR")
			assert.Equal(t, sum, fileSum(t, path))
		})
	}
}

func TestRefusesADirectoryInPlaceOfTheFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, sqlite.FileName), 0o700))
	refused(t, dir, "is not a regular file", "move it out of DATA_DIR")
}

// TestRefusesAnUnwritableDataDir. The tests run as root, for whom
// permission bits stop nothing, so the unwritable directories are ones no
// user can write to: a path under a regular file (mkdir fails with
// ENOTDIR) and, as root, /proc/self (procfs takes no new file, as a
// read-only volume would not); as another user, a directory chmod 0500.
func TestRefusesAnUnwritableDataDir(t *testing.T) {
	t.Run("under a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
		dir := filepath.Join(file, "data")
		dd := refused(t, dir, `"`+dir+`" cannot be created`, "point DATA_DIR at another folder")
		assert.Empty(t, dd.File)
	})
	t.Run("takes no file", func(t *testing.T) {
		dir := readOnlyDir(t)
		refused(t, dir, `"`+dir+`" is not writable`, "let the bot's user write to it, or point DATA_DIR at another folder")
	})
}

// readOnlyDir is an existing directory this process cannot create files in.
func readOnlyDir(t *testing.T) string {
	if os.Geteuid() != 0 {
		dir := t.TempDir()
		require.NoError(t, os.Chmod(dir, 0o500))
		t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
		return dir
	}
	if runtime.GOOS != "linux" {
		t.Skip("as root, only Linux's /proc gives a directory root cannot write")
	}
	if f, err := os.CreateTemp("/proc/self", ".probe-*"); err == nil {
		_ = os.Remove(f.Name())
		t.Skip("/proc/self takes files here")
	}
	return "/proc/self"
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// execSQL runs one statement on the file outside the store, as sqlite3 would.
func execSQL(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(stmt)
	require.NoError(t, err)
}
