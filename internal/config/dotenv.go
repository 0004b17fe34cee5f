package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"strings"

	"github.com/joho/godotenv"
)

// maxDotEnvSize bounds what readDotEnv reads: a .env file is a few dozen
// lines, and anything near this is not one.
const maxDotEnvSize = 1 << 20

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
	vars, problems := parseDotEnv(bytes.TrimPrefix(data, utf8BOM))
	if len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = &Error{Var: path, Problem: p}
		}
		return nil, errors.Join(errs...)
	}
	return vars, nil
}

// parseDotEnv reads the file one statement at a time, a statement being a
// line or the lines a quoted value spans, and lets godotenv parse each. So a
// mistake is found at its line in one pass, and godotenv's errors, which
// quote the rest of the file, secrets included, are never shown. It returns
// the variables, or every problem, each with its line (a bad statement is
// skipped, so the ones after it are read too).
func parseDotEnv(data []byte) (map[string]string, []string) {
	var problems []string
	vars := make(map[string]string)
	var stmt []byte
	start, open := 0, byte(0) // open: the quote a pending statement waits for
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(stmt) == 0 {
			start = i + 1
		}
		stmt = append(stmt, line...)
		if open != 0 && bytes.IndexByte(line, open) < 0 {
			continue // cannot close on this line: no need to parse again
		}
		got, err := godotenv.UnmarshalBytes(stmt)
		if open = unclosedQuote(err); open != 0 {
			continue
		}
		switch problem := dotEnvExpansion(start, string(stmt)); {
		case err != nil:
			problems = append(problems, fmt.Sprintf("line %d is not NAME=value: write one variable per line (letters, digits and _ in the name), or start the line with # to comment it out", start))
		case problem != "":
			problems = append(problems, problem)
		default:
			maps.Copy(vars, got)
		}
		stmt = stmt[:0]
	}
	if len(stmt) > 0 {
		problems = append(problems, fmt.Sprintf("line %d opens a quoted value that is never closed: add the closing quote", start))
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return vars, nil
}

// unclosedPrefix starts godotenv's error for a quoted value that runs to the
// end of its input; the opening quote follows it.
const unclosedPrefix = "unterminated quoted value "

// unclosedQuote returns the quote a statement left open, or 0.
func unclosedQuote(err error) byte {
	if err == nil {
		return 0
	}
	rest, ok := strings.CutPrefix(err.Error(), unclosedPrefix)
	if !ok || rest == "" {
		return 0
	}
	return rest[0]
}

// expansionRE finds what godotenv replaces with another variable's value:
// $NAME or ${NAME}, unless escaped with a backslash.
var expansionRE = regexp.MustCompile(`(^|[^\\])\$\{?[A-Z0-9_]`)

// dotEnvExpansion refuses a value that godotenv would silently rewrite: a
// key or password holding "$ABC" would reach the panel as something else,
// and the owner would only see the panel refuse it. Single quotes keep a
// value as written. The problem names the line and variable, never the value.
func dotEnvExpansion(line int, stmt string) string {
	stmt = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stmt), "export "))
	cut := strings.IndexAny(stmt, "=:")
	if stmt == "" || stmt[0] == '#' || cut < 0 {
		return ""
	}
	value := strings.TrimSpace(stmt[cut+1:])
	if strings.HasPrefix(value, "'") || !expansionRE.MatchString(value) {
		return ""
	}
	return fmt.Sprintf("line %d: the value of %s holds a $ that .env files replace with another variable's value: "+
		"put the value in single quotes ('…') to keep it as written", line, strings.TrimSpace(stmt[:cut]))
}
