package shardlynlog

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFrameLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		mt   int
		data string
		want []string
	}{
		{"one line", websocket.TextMessage, "[12:00] Done (3.2s)!", []string{"[12:00] Done (3.2s)!"}},
		{"trailing newline", websocket.TextMessage, "hello\r\n", []string{"hello"}},
		{"batched lines", websocket.TextMessage, "a\nb\r\nc\n", []string{"a", "b", "c"}},
		{"binary", websocket.BinaryMessage, "bytes", []string{"bytes"}},
		{"empty", websocket.TextMessage, "", nil},
		{"only newline", websocket.TextMessage, "\n", nil},
		{"ansi kept for the sink", websocket.TextMessage, "\x1b[32mok\x1b[0m", []string{"\x1b[32mok\x1b[0m"}},
		{"control frame", websocket.PingMessage, "x", nil},
	} {
		assert.Equal(t, tc.want, frameLines(tc.mt, []byte(tc.data)), tc.name)
	}
	in := "x" + strings.Repeat("é", maxLine) // 8193 bytes: the cuts fall inside runes
	long := frameLines(websocket.TextMessage, []byte(in))
	require.Len(t, long, 3)
	for _, l := range long {
		assert.LessOrEqual(t, len(l), maxLine)
		assert.True(t, utf8.ValidString(l))
	}
	assert.Equal(t, in, strings.Join(long, ""), "a runaway line is split, not cut short")
}

func FuzzFrameLines(f *testing.F) {
	f.Add([]byte("line"), true)
	f.Add([]byte("a\r\nb\n\n"), false)
	f.Add([]byte{0xff, 0xfe, '\n'}, true)
	f.Fuzz(func(t *testing.T, data []byte, text bool) {
		mt := websocket.BinaryMessage
		if text {
			mt = websocket.TextMessage
		}
		for _, l := range frameLines(mt, data) {
			assert.LessOrEqual(t, len(l), maxLine)
			assert.True(t, utf8.ValidString(l))
			assert.NotContains(t, l, "\n")
		}
	})
}
