package console

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// spillDirName is the relay's corner of DATA_DIR, which an embedded store
// will share.
const spillDirName = "relay"

// spill is one channel's overflow on disk: the oldest waiting lines, one
// per line of text, in a ring that reuses one file of at most cap bytes.
// Everything on disk is older than everything in memory, so the file is
// read from its head into attachments while the queue keeps the newest
// lines. A spill file has no framing that would tell a torn write from a
// line, so one left by a crash is not trusted: the hub removes leftovers
// when it starts, and a sender always starts an empty file.
type spill struct {
	f     *os.File
	path  string
	cap   int64
	head  int64  // absolute offset of the first unread byte
	tail  int64  // absolute offset past the last written byte
	lines int    // lines in [head, tail)
	first uint64 // number of the line at head
	marks ring[mark]
}

// mark notes when the lines from number no on arrived, at one-second
// grain: attachments' summaries show seconds, and a per-line time would
// cost memory for every line on disk.
type mark struct {
	no uint64
	at int64
}

// DataDirError says the data directory cannot be written, so the caller can
// name DATA_DIR to the operator.
type DataDirError struct {
	Dir string
	Err error
}

func (e *DataDirError) Error() string {
	return fmt.Sprintf("%q is not writable (%v): create it, let the bot's user write to it, or point DATA_DIR at another folder", e.Dir, e.Err)
}

func (e *DataDirError) Unwrap() error { return e.Err }

// spillDir creates (0700) and checks DATA_DIR/relay, naming DATA_DIR in its
// error so the operator knows what to fix.
func spillDir(dataDir string) (string, error) {
	dir := filepath.Join(dataDir, spillDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", &DataDirError{Dir: dataDir, Err: err}
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return "", &DataDirError{Dir: dataDir, Err: err}
	}
	name := f.Name()
	_ = f.Close()
	return dir, os.Remove(name)
}

// clearSpills removes spill files a previous run left behind, returning
// how many bytes they held.
func clearSpills(dir string) (int, int64) {
	names, _ := filepath.Glob(filepath.Join(dir, "*.spill"))
	var size int64
	for _, n := range names {
		if fi, err := os.Stat(n); err == nil {
			size += fi.Size()
		}
		_ = os.Remove(n)
	}
	return len(names), size
}

func openSpill(path string, limit int64) (*spill, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	return &spill{f: f, path: path, cap: limit}, nil
}

// free is how many bytes may still be written.
func (s *spill) free() int64 { return s.cap - (s.tail - s.head) }

// write appends lines, all of which fit (see free).
func (s *spill) write(ls []line) error {
	var buf bytes.Buffer
	for _, l := range ls {
		buf.WriteString(l.text)
		buf.WriteByte('\n')
	}
	if int64(buf.Len()) > s.free() {
		return errors.New("spill: no room")
	}
	if s.lines == 0 {
		s.first = ls[0].no
	}
	if err := s.writeAt(buf.Bytes(), s.tail); err != nil {
		return err
	}
	s.tail += int64(buf.Len())
	s.lines += len(ls)
	for _, l := range ls {
		if s.marks.len() == 0 || s.marks.at(s.marks.len()-1).at/1e9 != l.at/1e9 {
			s.marks.push(mark{no: l.no, at: l.at})
		}
	}
	return nil
}

// writeAt writes b at absolute offset off, wrapping at the ring's end.
func (s *spill) writeAt(b []byte, off int64) error {
	p := off % s.cap
	n := min(int64(len(b)), s.cap-p)
	if _, err := s.f.WriteAt(b[:n], p); err != nil {
		return err
	}
	if n < int64(len(b)) {
		_, err := s.f.WriteAt(b[n:], 0)
		return err
	}
	return nil
}

// section returns a reader of n bytes from absolute offset off, wrapping.
func (s *spill) section(off, n int64) io.Reader {
	p := off % s.cap
	first := min(n, s.cap-p)
	r := io.NewSectionReader(s.f, p, first)
	if first == n {
		return r
	}
	return io.MultiReader(r, io.NewSectionReader(s.f, 0, n-first))
}

// chunk measures the whole lines from the head that fit maxBytes, at most
// maxLines of them (and always at least one).
func (s *spill) chunk(maxBytes int64, maxLines int) (n int, size int64, err error) {
	avail := s.tail - s.head
	r := s.section(s.head, avail)
	buf := make([]byte, 64<<10)
	var read int64
	for n < min(maxLines, s.lines) && read < avail {
		k, rerr := io.ReadFull(r, buf[:min(int64(len(buf)), avail-read)])
		for i, c := range buf[:k] {
			if c != '\n' {
				continue
			}
			end := read + int64(i) + 1
			if n > 0 && end > maxBytes {
				return n, size, nil
			}
			n, size = n+1, end
			if n == maxLines {
				return n, size, nil
			}
		}
		read += int64(k)
		if rerr != nil {
			return n, size, rerr
		}
	}
	return n, size, nil
}

// release forgets n lines of size bytes from the head, once they were
// posted or given up; an empty ring truncates its file so the disk is
// freed as soon as a flood is drained.
func (s *spill) release(n int, size int64) {
	s.head += size
	s.lines -= n
	s.first += uint64(n)
	for s.marks.len() > 1 && s.marks.at(1).no <= s.first {
		s.marks.pop()
	}
	if s.lines == 0 {
		s.head, s.tail = 0, 0
		s.marks = ring[mark]{}
		_ = s.f.Truncate(0)
	}
}

// timeOf is when line no (on disk) arrived, to the second.
func (s *spill) timeOf(no uint64) int64 {
	at := int64(0)
	for i := 0; i < s.marks.len() && s.marks.at(i).no <= no; i++ {
		at = s.marks.at(i).at
	}
	return at
}

// close removes the file: what it held was posted, or counted and logged.
func (s *spill) close() {
	_ = s.f.Close()
	_ = os.Remove(s.path)
}

// spillName is a sender's file: channel and a per-hub number, because a
// channel's draining sender and its successor may overlap.
func spillName(dir, channelID string, n uint64) string {
	return filepath.Join(dir, strings.Map(safeRune, channelID)+fmt.Sprintf("-%d.spill", n))
}

func safeRune(r rune) rune {
	if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
		return r
	}
	return '_'
}
