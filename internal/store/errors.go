package store

import (
	"strings"

	"github.com/panelbot/panelbot/internal/trunc"

	"errors"
	"fmt"
)

// ErrDataDir is matched (errors.Is) by every *DataDirError, so the bot can
// stop with exit status 2 whatever the implementation.
var ErrDataDir = errors.New("data directory unusable")

// DataDirError says that DATA_DIR or the database file in it cannot be
// used. The bot stops at start on it: its message is one line naming
// DATA_DIR (and the file) and what to do. The file is never overwritten or
// reset to get past it.
type DataDirError struct {
	Dir     string // DATA_DIR as configured
	File    string // the database file; empty when the directory is at fault
	Problem string // what is wrong, e.g. "is not a SQLite database"
	Fix     string // what the operator should do
	Err     error  // the cause, if any
}

// Error reads `DATA_DIR: "data/panelbot.db" is not a SQLite database (…):
// move it aside …`, the shape of the configuration errors.
func (e *DataDirError) Error() string {
	return "DATA_DIR: " + e.Detail()
}

// Detail is the message without the leading "DATA_DIR: ", for callers that
// name the variable themselves (config.Error{Var: "DATA_DIR", Problem: …}).
func (e *DataDirError) Detail() string {
	what := e.File
	if what == "" {
		what = e.Dir
	}
	s := fmt.Sprintf("%q %s", what, e.Problem)
	if e.Err != nil {
		s += " (" + oneLine(e.Err.Error()) + ")"
	}
	return s + ": " + e.Fix
}

// Unwrap returns the cause.
func (e *DataDirError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDataDir) true.
func (e *DataDirError) Is(target error) bool { return target == ErrDataDir }

// oneLine keeps a cause (an integrity report may run to many lines) to one
// short line, since the whole message must be one.
func oneLine(s string) string {
	return trunc.Runes(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s), 201)
}
