package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Info describes the store's file, for `bot check`.
type Info struct {
	Path    string
	Exists  bool  // false: there is no file yet; Open creates it
	Version int   // the schema version (0 for a new file)
	Bytes   int64 // the file and its WAL
}

// String reads "data/panelbot.db: schema version 1, 2.1 MB".
func (i Info) String() string {
	if !i.Exists {
		return i.Path + ": not there yet, created at start"
	}
	return fmt.Sprintf("%s: schema version %d of %d, %.1f MB", i.Path, i.Version, len(migrations), float64(i.Bytes)/1e6)
}

// Check inspects the store under dataDir as Open would and fails where Open
// would, without creating or changing the directory or the file (it only
// creates and removes a probe file to see that the directory is writable).
// It runs beside a running bot: WAL lets it read while the bot writes.
func Check(ctx context.Context, dataDir string) (Info, error) {
	path := filepath.Join(dataDir, FileName)
	f, err := inspect(ctx, dataDir, path, false)
	if err != nil {
		return Info{}, err
	}
	i := Info{Path: path, Exists: f.exists, Version: f.version}
	for _, p := range []string{path, path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			i.Bytes += st.Size()
		}
	}
	return i, nil
}
