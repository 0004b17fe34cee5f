package config_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/config"
)

// FuzzParseFile feeds arbitrary bytes to the file parser: it must never
// panic, every failure must be a *FileError, no error may repeat a secret,
// and whatever it accepts must keep the file's promises.
func FuzzParseFile(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("testdata", "example.yaml"))
	require.NoError(f, err)
	f.Add(example)
	for _, c := range badFiles() {
		f.Add([]byte(c.src))
	}
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"))
	f.Add([]byte("panels:\n" + strings.Repeat("  - ", 50) + "x\n"))
	f.Add([]byte("\xef\xbb\xbfpanels: [{name: a, kind: zampto, api_key_env: ZAMPTO_API_KEY, servers: [{id: 1, alias: b}]}]\n"))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := config.ParseFile("bot.yaml", data, fileGetenv(fileVars()))
		if err != nil {
			var fe *config.FileError
			require.True(t, errors.As(err, &fe), "%T: %v", err, err)
			assert.ErrorIs(t, err, config.ErrConfig)
			assert.GreaterOrEqual(t, fe.Line, 0)
			// yaml.v3 counts a lone \r as a line break too, and puts the null
			// of a document that ends without a line break on the line after.
			breaks := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r"))
			assert.LessOrEqual(t, fe.Line, breaks+2, "a line of the file")
			for _, s := range fileSecrets() {
				assert.NotContains(t, err.Error(), s)
			}
			return
		}
		checkInvariants(t, file)
	})
}

// checkInvariants asserts what users of a loaded File rely on.
func checkInvariants(t *testing.T, f *config.File) {
	require.NotEmpty(t, f.Panels)
	names := map[string]bool{}
	for _, p := range f.Panels {
		lower := strings.ToLower(p.Name)
		assert.False(t, names[lower], "panel %q twice", p.Name)
		names[lower] = true
		assert.NotContains(t, p.Name, "/")
		assert.NotEmpty(t, p.Secret.String())
		assert.Positive(t, p.RatePer)
		seen := map[string]bool{}
		for _, s := range p.Servers {
			assert.NotEmpty(t, s.ID)
			assert.NotContains(t, s.ID, "/")
			assert.NotContains(t, s.Alias, "/")
			assert.False(t, seen[strings.ToLower(s.ID)], "server %q twice", s.ID)
			seen[strings.ToLower(s.ID)] = true
			if s.Alias != "" && !strings.EqualFold(s.Alias, s.ID) {
				assert.False(t, seen[strings.ToLower(s.Alias)], "alias %q clashes", s.Alias)
				seen[strings.ToLower(s.Alias)] = true
			}
		}
	}
}
