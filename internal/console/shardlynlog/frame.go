package shardlynlog

import (
	"strings"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// maxLine bounds one console line in the queue; Discord shows far less, and
// a runaway line must not grow memory. A longer line is split into pieces
// (each queued, so the queue's count bound still bounds the bytes), never
// cut short: the sender splits long lines for Discord anyway.
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
//   - a line over maxLine bytes is split into pieces of at most maxLine.
func frameLines(messageType int, data []byte) []string {
	if messageType != websocket.TextMessage && messageType != websocket.BinaryMessage {
		return nil
	}
	return splitLines(string(data))
}

// splitLines reads one frame's (or one history entry's) text as frameLines
// says, so that a line compares equal whichever way it arrived.
func splitLines(raw string) []string {
	text := strings.TrimRight(strings.ToValidUTF8(raw, "\uFFFD"), "\r\n")
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = appendPieces(out, strings.TrimSuffix(l, "\r"))
	}
	return out
}

// appendPieces appends s cut between runes into pieces of at most maxLine
// bytes.
func appendPieces(dst []string, s string) []string {
	for len(s) > maxLine {
		cut := maxLine
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 { // not valid UTF-8: cannot happen after ToValidUTF8
			cut = maxLine
		}
		dst = append(dst, s[:cut])
		s = s[cut:]
	}
	return append(dst, s)
}
