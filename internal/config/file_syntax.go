package config

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxStepBack bounds how far stopLine looks back for the start of a
// mistake; each step parses the text before a line once more.
const maxStepBack = 16

// parseYAML returns the root node of the file's only document. Everything
// after this works on nodes, whose positions give every later error its
// line; only a syntax error, which leaves no node, needs lineReader.
func parseYAML(path string, data []byte) (*yaml.Node, *FileError) {
	r := &lineReader{rest: data}
	dec := yaml.NewDecoder(r)
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FileError{Path: path, Problem: "is empty: declare the panels under panels: (see the example in the README)"}
		}
		return nil, syntaxError(path, data, r.lines, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &FileError{Path: path, Line: extra.Line,
			Problem: "a second YAML document starts here (after ---): keep the whole configuration in one document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(path, data, r.lines, err)
	}
	if len(doc.Content) != 1 {
		return nil, &FileError{Path: path, Problem: "is empty: declare the panels under panels:"}
	}
	return doc.Content[0], nil
}

// lineReader hands the YAML parser one line per Read and counts the lines
// it has handed out, so that when the parser stops on a mistake, lines says
// where. yaml.v3's own message names the line where the enclosing block
// starts (often line 1), or no line at all.
type lineReader struct {
	rest    []byte
	lines   int
	midLine bool // the last Read ended inside a line
}

// Read implements io.Reader.
func (r *lineReader) Read(p []byte) (int, error) {
	if len(r.rest) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := bytes.IndexByte(r.rest, '\n') + 1
	if n == 0 {
		n = len(r.rest)
	}
	n = copy(p, r.rest[:n])
	if !r.midLine {
		r.lines++
	}
	r.midLine = p[n-1] != '\n'
	r.rest = r.rest[n:]
	return n, nil
}

// syntaxError turns a parser failure into a FileError at the line where
// the mistake is. The parser's own sentence is shown, except for the one
// that quotes the input (an undefined alias), which could be a secret.
func syntaxError(path string, data []byte, stopped int, err error) *FileError {
	if line, problem := encodingProblem(data, stopped); line > 0 {
		return &FileError{Path: path, Line: line, Problem: problem}
	}
	msg := yamlProblem(err)
	line := stopLine(data, stopped, endOfStream(msg))
	if strings.HasPrefix(msg, "unknown anchor") {
		return &FileError{Path: path, Line: line,
			Problem: "an alias (*name) refers to no anchor: anchors and aliases (&name, *name) are not supported: write the value out"}
	}
	return &FileError{Path: path, Line: line, Problem: "YAML syntax error (" + msg + "): " + syntaxAdvice(msg)}
}

// yamlProblem is the parser's sentence without its "yaml: line N: " prefix,
// since the line is found apart.
func yamlProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if _, after, found := strings.Cut(rest, ": "); found {
			msg = after
		}
	}
	return msg
}

// endOfStream reports a parser message for a text that ends inside a
// value: a quote or bracket never closed.
func endOfStream(msg string) bool { return strings.Contains(msg, "end of stream") }

func syntaxAdvice(msg string) string {
	switch {
	case endOfStream(msg):
		return "a quote or bracket opened on this line is never closed: close it"
	case strings.Contains(msg, "expected ',' or"):
		return "a [ or { list opened on this line is never closed: close it, or quote the value if the bracket is part of it"
	case strings.Contains(msg, "UTF-8") || strings.Contains(msg, "control characters"):
		return "save the file as plain UTF-8 text"
	}
	return "check the indentation (spaces, not tabs) and quote values that contain ': ' or '#' or start with a symbol"
}

// encodingProblem finds, among the lines the parser read, the first one
// that is not UTF-8, holds a character YAML refuses, or is indented with a
// tab: the parser names none of these at their line.
func encodingProblem(data []byte, upTo int) (int, string) {
	for i, l := range bytes.SplitAfter(data, []byte("\n")) {
		if i >= upTo {
			break
		}
		indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
		switch {
		case !utf8.Valid(l):
			return i + 1, "this line is not UTF-8 (invalid bytes): save the file as plain UTF-8 text"
		case bytes.IndexFunc(l, refusedRune) >= 0:
			return i + 1, "this line holds control characters, and control characters are not allowed in YAML: save the file as plain UTF-8 text"
		case bytes.IndexByte(indent, '\t') >= 0:
			return i + 1, "this line is indented with a tab: YAML needs spaces"
		}
	}
	return 0, ""
}

// refusedRune is what yaml.v3's reader refuses anywhere in the input.
func refusedRune(r rune) bool {
	return !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7E) || r == 0x85 ||
		(r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= utf8.MaxRune))
}

// stopLine pulls the line where the parser stopped back to the line of the
// mistake. The parser reads one token ahead, across blank and comment
// lines, and a quote left open reads to the end of the file; so while the
// text that ends at the previous line with content fails the same way, the
// mistake lies there or before. A bounded walk back, not a search.
func stopLine(data []byte, stopped int, eos bool) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	for range maxStepBack {
		prev := contentLineBefore(lines, stopped)
		if prev == 0 {
			break
		}
		r := &lineReader{rest: data[:offsetAfter(lines, prev)]}
		err := decodeAll(r)
		if err == nil || endOfStream(err.Error()) != eos {
			break
		}
		stopped = min(r.lines, prev)
	}
	return stopped
}

// contentLineBefore returns the last line before line n that is neither
// blank nor a comment, or 0.
func contentLineBefore(lines [][]byte, n int) int {
	for i := min(n, len(lines)+1) - 1; i >= 1; i-- {
		t := bytes.TrimSpace(lines[i-1])
		if len(t) > 0 && t[0] != '#' {
			return i
		}
	}
	return 0
}

// offsetAfter is the byte offset just after line n.
func offsetAfter(lines [][]byte, n int) int {
	end := 0
	for _, l := range lines[:n] {
		end += len(l)
	}
	return end
}

// decodeAll parses every document r holds and returns the first error.
func decodeAll(r io.Reader) error {
	dec := yaml.NewDecoder(r)
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
