package config

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/joho/godotenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// manyVars is a valid .env file of n lines.
func manyVars(n int) string {
	var b strings.Builder
	for i := range n {
		if i%10 == 0 {
			b.WriteString("# section\n")
			continue
		}
		fmt.Fprintf(&b, "VAR_%d=value%d\n", i, i)
	}
	return b.String()
}

// TestDotEnvErrorLinesInALongFile: the line is found however long the
// file, in one pass (the old search gave up past 2000 lines).
func TestDotEnvErrorLinesInALongFile(t *testing.T) {
	long := manyVars(5000) // lines 1-5000
	cases := []struct{ name, tail, want string }{
		{"bad name", "A=1\nnot a variable\nB=2\n", "line 5002 is not NAME=value"},
		{"unclosed quote", "A=1\nB=\"open\n" + manyVars(3000), "line 5002 opens a quoted value that is never closed"},
		{"bad name after a multi-line value", "A=\"one\ntwo\nthree\"\nB C\n", "line 5004 is not NAME=value"},
		{"expansion", "A=1\nB=x$HOME\n", "line 5002: the value of B holds a $"},
		{"expansion inside a multi-line value", "A=\"one\ntwo $HOME\"\n", "line 5001: the value of A holds a $"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, problems := parseDotEnv([]byte(long + c.tail))
			problem := strings.Join(problems, "\n")
			assert.Contains(t, problem, c.want)
		})
	}
}

// TestDotEnvStatements: values spanning lines, several statements on a line,
// comments and CRLF read as godotenv reads the whole file.
func TestDotEnvStatements(t *testing.T) {
	src := "# top\r\nA=\"one\ntwo\" \nexport B='x y'\nC=plain # comment\nD=\"q\\\"uote\"\nE='a' F='b'\n\nG: h\n"
	got, problems := parseDotEnv([]byte(src))
	problem := strings.Join(problems, "\n")
	require.Empty(t, problem)
	want, err := godotenv.UnmarshalBytes([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// TestDotEnvUnclosedQuoteIsLinear: a quote left open at the top of a big
// file is not parsed again for every line after it.
func TestDotEnvUnclosedQuoteIsLinear(t *testing.T) {
	src := "A='open\n" + strings.Repeat("LINE=\"with the other quote\"\n", 30000)
	_, problems := parseDotEnv([]byte(src))
	problem := strings.Join(problems, "\n")
	assert.Contains(t, problem, "line 1 opens a quoted value")
}

// FuzzDotEnvStatements holds the statement reader to godotenv's reading of
// the whole file: the same variables when both accept, a refusal whenever
// godotenv refuses, and otherwise only the refusal of a $ it would expand.
func FuzzDotEnvStatements(f *testing.F) {
	for _, s := range []string{
		"A=1\n", "A='x\ny'\n", "A=\"x\ny\"\nB=2", "A=\"x\" B='y\nz'\n", "bad\n", "A=\\\"\n", "A=\"\\\"\n\"\n", "A:1\r\nB=2\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, problems := parseDotEnv([]byte(src))
		problem := strings.Join(problems, "\n")
		want, err := godotenv.UnmarshalBytes([]byte(src))
		switch {
		case err != nil:
			assert.NotEmpty(t, problem, "godotenv refuses: %v", err)
		case problem == "":
			assert.Equal(t, want, got)
		default:
			assert.Contains(t, problem, "holds a $")
		}
		assert.False(t, bytes.ContainsAny([]byte(problem), "\n\r"), "one line")
	})
}
