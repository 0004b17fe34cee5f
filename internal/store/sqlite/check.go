package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/panelbot/panelbot/internal/store"
)

// What the operator is told to do, by what is wrong.
const (
	fixDir     = "create it, let the bot's user write to it, or point DATA_DIR at another folder"
	fixAccess  = "let the bot's user read and write it, or point DATA_DIR at another folder"
	fixForeign = "move it out of DATA_DIR (the bot then starts empty) or restore panelbot's file from a backup; the bot never overwrites it"
	fixDamaged = "restore it from a backup or salvage it (`sqlite3 panelbot.db .recover | sqlite3 new.db`), or move it aside to start empty; the bot never repairs or overwrites it"
	fixNewer   = "run the newer panelbot that wrote it, or restore a backup taken before the upgrade"
)

// header is how every SQLite 3 database file begins.
var header = []byte("SQLite format 3\x00")

// fileInfo is what inspect learnt about the database file.
type fileInfo struct {
	dir, path string
	version   int  // the schema version, 0 for a new file
	exists    bool // false: Check found no file (Open creates it)
}

// unusable wraps err as the operator-facing error about the file.
func (f fileInfo) unusable(problem string, err error) error {
	fix := fixAccess
	switch {
	case isCode(err, sqlite3.SQLITE_CORRUPT):
		problem, fix = "is damaged", fixDamaged
	case isCode(err, sqlite3.SQLITE_NOTADB):
		problem, fix = "is not a SQLite database", fixForeign
	}
	return &store.DataDirError{Dir: f.dir, File: f.path, Problem: problem, Fix: fix, Err: err}
}

// inspect checks the directory and the file without changing either,
// except that with create it makes a missing directory and file. Every
// error is a *store.DataDirError.
func inspect(ctx context.Context, dir, path string, create bool) (fileInfo, error) {
	f := fileInfo{dir: dir, path: path}
	if err := checkDir(dir, create); err != nil {
		return f, err
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && create:
		return f, createFile(f)
	case errors.Is(err, os.ErrNotExist):
		return f, nil
	case err != nil:
		return f, f.unusable("cannot be read", err)
	case !st.Mode().IsRegular():
		return f, &store.DataDirError{Dir: dir, File: path, Problem: "is not a regular file", Fix: fixForeign}
	}
	f.exists = true
	empty, err := checkHeader(f)
	if err != nil || empty {
		return f, err
	}
	return f, checkContent(ctx, &f)
}

// checkDir makes (with create) and probes the directory: a directory that
// exists but takes no new file stops the bot now, not at its first write.
// Without create, a missing directory is probed where Open would make it.
func checkDir(dir string, create bool) error {
	bad := func(problem string, err error) error {
		return &store.DataDirError{Dir: dir, Problem: problem, Fix: fixDir, Err: err}
	}
	probe := dir
	var err error
	if create {
		err = os.MkdirAll(dir, 0o700)
	} else {
		probe, err = existing(dir)
	}
	if err != nil {
		return bad("cannot be created", err)
	}
	p, err := os.CreateTemp(probe, ".probe-*")
	if err != nil {
		return bad("is not writable", err)
	}
	name := p.Name()
	return errors.Join(p.Close(), os.Remove(name))
}

// existing returns dir, or, when it is missing, its nearest ancestor that
// exists (where Open would create it), which must be a directory.
func existing(dir string) (string, error) {
	for {
		st, err := os.Stat(dir)
		switch {
		case err == nil && st.IsDir():
			return dir, nil
		case err == nil:
			return "", fmt.Errorf("%s is not a directory", dir)
		case !errors.Is(err, os.ErrNotExist):
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", err
		}
		dir = parent
	}
}

// createFile creates the empty database file with 0600 (SQLite would use
// 0644 less the umask; its -wal and -shm files copy the database file's
// permissions). O_EXCL: a file that appeared meanwhile is not truncated.
func createFile(f fileInfo) error {
	h, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return f.unusable("cannot be created", err)
	}
	if err := h.Close(); err != nil {
		return f.unusable("cannot be created", err)
	}
	return nil
}

// checkHeader reads the file's first bytes. An empty file is a database
// SQLite has not written yet (a crash right after createFile); anything
// else must start with SQLite's header.
func checkHeader(f fileInfo) (empty bool, err error) {
	h, err := os.Open(f.path)
	if err != nil {
		return false, f.unusable("cannot be read", err)
	}
	defer h.Close()
	buf := make([]byte, 100) // the database header's size
	n, err := io.ReadFull(h, buf)
	switch {
	case n == 0 && err == io.EOF:
		return true, nil
	case err != nil && err != io.ErrUnexpectedEOF:
		return false, f.unusable("cannot be read", err)
	case n < len(buf) || !bytes.HasPrefix(buf, header):
		return false, &store.DataDirError{Dir: f.dir, File: f.path, Problem: "is not a SQLite database", Fix: fixForeign}
	}
	return false, nil
}

// checkContent opens the file read-only and checks that it is panelbot's,
// of a schema version this binary knows, and sound (quick_check).
func checkContent(ctx context.Context, f *fileInfo) error {
	db, err := openDB(f.path, "ro")
	if err != nil {
		return f.unusable("cannot be opened", err)
	}
	defer db.Close()
	var app, tables int
	err = db.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)`).
		Scan(&app, &f.version, &tables)
	if err != nil {
		return f.unusable("cannot be read", err)
	}
	if err := f.owned(app, tables); err != nil {
		return err
	}
	return quickCheck(ctx, db, *f)
}

// owned refuses another program's database and one from a newer bot.
func (f fileInfo) owned(app, tables int) error {
	switch {
	case app != applicationID && (app != 0 || tables > 0):
		return &store.DataDirError{Dir: f.dir, File: f.path, Problem: "is another program's SQLite database", Fix: fixForeign}
	case f.version > len(migrations):
		return &store.DataDirError{Dir: f.dir, File: f.path, Fix: fixNewer,
			Problem: fmt.Sprintf("was written by a newer panelbot (schema version %d; this one knows up to %d)", f.version, len(migrations))}
	}
	return nil
}

// quickCheck runs PRAGMA quick_check: the b-trees and their pages are
// sound (it skips matching indexes to rows, which integrity_check adds at
// many times the cost).
func quickCheck(ctx context.Context, db queryer, f fileInfo) error {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check(20)")
	if err != nil {
		return f.unusable("cannot be checked", err)
	}
	defer rows.Close()
	var report []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return f.unusable("cannot be checked", err)
		}
		report = append(report, line)
	}
	if err := rows.Err(); err != nil {
		return f.unusable("cannot be checked", err)
	}
	if len(report) == 1 && report[0] == "ok" {
		return nil
	}
	return &store.DataDirError{Dir: f.dir, File: f.path, Problem: "is damaged", Fix: fixDamaged,
		Err: errors.New("quick_check: " + strings.Join(report, "; "))}
}

// isCode reports whether err is SQLite's error of the primary code.
func isCode(err error, code int) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == code
}
