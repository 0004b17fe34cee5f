package shardlyn

import (
	"strings"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// maxLine bounds one console line; Discord shows far less, and a runaway
// line must not grow memory.
const maxLine = 4096

// frameLines is the whole frame-format decision, kept in this one function
// so that it is easy to change when Shardlyn documents its frames.
//
// The document says only "WebSocket: live logs". The plainest reading, and
// the one taken here: each text frame is one console line, as printed,
// without a trailing newline. Around that reading:
//   - a trailing "\n" or "\r\n" is dropped, and a frame that carries several
//     newline-separated lines (a server that batches) gives one line each;
//   - a binary frame is read the same way (some log pipes send bytes);
//     invalid UTF-8 is replaced, never rejected;
//   - an empty frame is no line;
//   - a line is cut at maxLine bytes.
func frameLines(messageType int, data []byte) []string {
	if messageType != websocket.TextMessage && messageType != websocket.BinaryMessage {
		return nil
	}
	text := strings.TrimRight(strings.ToValidUTF8(string(data), "\uFFFD"), "\r\n")
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = clipLine(strings.TrimSuffix(l, "\r"))
	}
	return lines
}

func clipLine(s string) string {
	if len(s) <= maxLine {
		return s
	}
	cut := maxLine
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
