package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/joho/godotenv"
)

// maxDotEnvSize bounds what readDotEnv reads: a .env file is a few dozen
// lines, and anything near this is not one.
const maxDotEnvSize = 1 << 20

// maxDotEnvLines bounds the search for the line a parse error starts at,
// which parses the file once per line.
const maxDotEnvLines = 2000

// utf8BOM starts files saved by some Windows editors; godotenv would read it
// as part of the first variable's name.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// readDotEnv parses the .env file at path. A missing file is returned as
// os.ErrNotExist; every other failure is an *Error naming the file (and the
// line, when it can tell) without a byte of its text: godotenv's own errors
// quote the rest of the file, secrets included.
func readDotEnv(path string) (map[string]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		return nil, &Error{Var: path, Problem: "cannot open it (" + readProblem(err) + "): fix its permissions or remove it"}
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxDotEnvSize+1))
	switch {
	case err != nil:
		return nil, &Error{Var: path, Problem: "cannot read it (" + readProblem(err) + "): fix the file or remove it"}
	case len(data) > maxDotEnvSize:
		return nil, &Error{Var: path, Problem: "is larger than 1 MiB, which is not a .env file: remove it or point the bot elsewhere"}
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	vars, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		return nil, &Error{Var: path, Problem: dotEnvProblem(data, err)}
	}
	if problem := dotEnvExpansion(data); problem != "" {
		return nil, &Error{Var: path, Problem: problem}
	}
	return vars, nil
}

// expansionRE finds what godotenv replaces with another variable's value:
// $NAME or ${NAME}, unless escaped with a backslash.
var expansionRE = regexp.MustCompile(`(^|[^\\])\$\{?[A-Z0-9_]`)

// dotEnvExpansion refuses a value that godotenv would silently rewrite: a
// key or password holding "$ABC" would reach the panel as something else,
// and the owner would only see the panel refuse it. Single quotes keep a
// value as written. The problem names the line and variable, never the value.
func dotEnvExpansion(data []byte) string {
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "export "))
		cut := strings.IndexAny(line, "=:")
		if line == "" || line[0] == '#' || cut < 0 {
			continue
		}
		value := strings.TrimSpace(line[cut+1:])
		if !strings.HasPrefix(value, "'") && expansionRE.MatchString(value) {
			return fmt.Sprintf("line %d: the value of %s holds a $ that .env files replace with another variable's value: "+
				"put the value in single quotes ('…') to keep it as written", i+1, strings.TrimSpace(line[:cut]))
		}
	}
	return ""
}

// dotEnvProblem says where the file stops parsing and what to write, from
// the kind of godotenv's error only.
func dotEnvProblem(data []byte, err error) string {
	unclosed := strings.HasPrefix(err.Error(), "unterminated quoted value")
	where := "a line"
	if n := dotEnvLine(data, unclosed); n > 0 {
		where = fmt.Sprintf("line %d", n)
	}
	if unclosed {
		return where + " opens a quoted value that is never closed: add the closing quote"
	}
	return where + " is not NAME=value: write one variable per line (letters, digits and _ in the name), or start the line with # to comment it out"
}

// dotEnvLine finds the line an error starts at by parsing ever longer
// prefixes of the file: the first prefix that fails for another reason
// than a quote still open ends on the bad line; an unclosed quote opens on
// the line after the last prefix that parsed. 0 when it cannot tell.
func dotEnvLine(data []byte, unclosed bool) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > maxDotEnvLines {
		return 0
	}
	end, lastOK := 0, 0
	for i, l := range lines {
		end += len(l)
		_, err := godotenv.UnmarshalBytes(data[:end])
		switch {
		case err == nil:
			lastOK = i + 1
		case !unclosed && !strings.HasPrefix(err.Error(), "unterminated quoted value"):
			return i + 1
		}
	}
	if unclosed && lastOK < len(lines) {
		return lastOK + 1
	}
	return 0
}
