package commands

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestBytesIEC(t *testing.T) {
	tests := map[int64]string{
		-5: "0 B", 0: "0 B", 1023: "1023 B", 1024: "1 KiB", 1536: "1.5 KiB", 10 << 20: "10 MiB",
		512 << 20: "512 MiB", 2 << 30: "2 GiB", 1<<30 + 1<<29: "1.5 GiB", 5 << 40: "5 TiB", math.MaxInt64: "8 EiB",
	}
	for in, want := range tests {
		assert.Equal(t, want, bytesIEC(in), in)
	}
}

func TestLimits(t *testing.T) {
	assert.Equal(t, "unlimited", limitText(0))
	assert.Equal(t, "unlimited", cpuLimitText(0))
	assert.Equal(t, "150 %", cpuLimitText(150))
	assert.Equal(t, int64(math.MaxInt64), megabytes(math.MaxInt64))
	assert.Equal(t, int64(0), megabytes(-1))
}

func TestPercentAndDuration(t *testing.T) {
	assert.Equal(t, "0.0 %", percent(0))
	assert.Equal(t, "99.5 %", percent(99.5))
	assert.Equal(t, "250 %", percent(250.4))
	assert.Equal(t, "?", percent(math.NaN()))
	assert.Equal(t, "?", percent(-1))
	for d, want := range map[time.Duration]string{
		0: "0s", 59 * time.Second: "59s", 61 * time.Second: "1m 1s", 3*time.Hour + 5*time.Minute: "3h 5m",
		26 * time.Hour: "1d 2h", 24 * time.Hour: "1d 0h", -time.Hour: "0s",
	} {
		assert.Equal(t, want, duration(d), d.String())
	}
}

// TestCutsCountCharacters: Discord's limits are in characters, so text is
// cut by characters (trunc.Runes), never inside one.
func TestCutsCountCharacters(t *testing.T) {
	assert.Equal(t, "éééé…", escape(strings.Repeat("é", 10), 5))
	assert.Equal(t, "ééééé", escape(strings.Repeat("é", 5), 5))
	span := codeSpan(strings.Repeat("日", 300), 100)
	assert.True(t, utf8.ValidString(span))
	assert.Equal(t, 102, utf8.RuneCountInString(span))
}

func TestEscape(t *testing.T) {
	assert.Equal(t, `\*\*x\*\* \_y\_ \~\~ \|\| \`+"`"+`z\`+"`"+` \[a\]\(b\) \<\@1\> \@everyone`,
		escape("**x** _y_ ~~ || `z` [a](b) <@1> @everyone", 200))
	assert.Equal(t, "a b", escape("a\nb", 10))
	assert.Equal(t, "\uFFFD", escape("\xff", 10))
}
