package httpapi

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClipBoundsAndCleans moved here from zampto, whose clip this was.
func TestClipBoundsAndCleans(t *testing.T) {
	assert.Equal(t, "a b", Clip("a\nb", 10))
	got := Clip(strings.Repeat("é", 10), 5)
	require.True(t, strings.HasSuffix(got, "…"))
	assert.Equal(t, "ééééé…", got, "n characters, never half a rune (the one rune-safe truncation)")
	assert.Equal(t, "a?b", Clip("a\xffb", 10), "invalid UTF-8 becomes ?")
	assert.Equal(t, "a b c", Clip("a\u0085b\x7fc", 10), "C1 controls and DEL too")
}

func TestScrub(t *testing.T) {
	assert.Equal(t, "bad key [api key] twice [api key]", Scrub("bad key s3cr3t twice s3cr3t", "s3cr3t", "[api key]"))
	assert.Equal(t, "nothing to hide", Scrub("nothing to hide", "", "[api key]"), "an empty secret must not mask every gap")
}

func TestPerAndSeconds(t *testing.T) {
	assert.Equal(t, "per minute", Per(time.Minute))
	assert.Equal(t, "per second", Per(time.Second))
	assert.Equal(t, "per 10 seconds", Per(10*time.Second))
	assert.Equal(t, "per 3600 seconds", Per(time.Hour))
	assert.Equal(t, "per 2.5 seconds", Per(2500*time.Millisecond))
	assert.Equal(t, 1, Seconds(0), "never 'try again in 0 s'")
	assert.Equal(t, 3, Seconds(2001*time.Millisecond), "rounded up")
	assert.Equal(t, 60, Seconds(time.Minute))
}
