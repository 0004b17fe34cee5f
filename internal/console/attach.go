package console

import "io"

// attachment is a folded backlog: the spilled lines, read from disk, then
// the lines taken from memory, written out one per line, oldest first.
type attachment struct {
	name     string
	disk     func() io.Reader // the spilled part; nil when none
	diskSize int64
	lines    []string
	count    int   // lines in all
	first    int64 // when the first and last lines arrived, Unix nanoseconds
	last     int64
}

// size is the file's length in bytes.
func (a *attachment) size() int64 {
	n := a.diskSize
	for _, l := range a.lines {
		n += int64(len(l) + 1)
	}
	return n
}

// reader streams the file without building it: discordgo copies it into
// the multipart body anyway, and a second copy would double the memory a
// fold needs. Each attempt gets a fresh reader.
func (a *attachment) reader() io.Reader {
	mem := &linesReader{lines: a.lines}
	if a.disk == nil {
		return mem
	}
	return io.MultiReader(a.disk(), mem)
}

type linesReader struct {
	lines []string
	off   int // bytes of lines[0] already read
}

func (r *linesReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && len(r.lines) > 0 {
		l := r.lines[0]
		if r.off < len(l) {
			c := copy(p[n:], l[r.off:])
			n += c
			r.off += c
			continue
		}
		p[n] = '\n'
		n++
		r.lines, r.off = r.lines[1:], 0
	}
	if n == 0 && len(r.lines) == 0 {
		return 0, io.EOF
	}
	return n, nil
}
