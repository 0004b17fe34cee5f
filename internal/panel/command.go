package panel

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxCommandRunes is the longest console command the bot sends, in
// characters; a panel with a lower limit passes its own to ValidateCommand.
const MaxCommandRunes = 1000

// ValidateCommand is the one rule for a console command, wherever it comes
// from (/cmd, a relay channel) and whichever panel it goes to: one line of
// valid text, no control characters, at most max characters. A line break
// would smuggle a second command past the check; control characters would
// reach the game server's terminal. The error is an ErrInvalid whose
// message tells the user what to type instead.
func ValidateCommand(command string, max int) error {
	var msg string
	switch {
	case strings.TrimSpace(command) == "":
		msg = "The command is empty: type the console command to send."
	case !utf8.ValidString(command) || strings.ContainsRune(command, utf8.RuneError):
		msg = "The command is not valid text: type plain text."
	case strings.IndexFunc(command, isLineBreak) >= 0:
		msg = "Send one command at a time: a command must be a single line."
	case strings.IndexFunc(command, isControl) >= 0:
		msg = "The command contains control characters: type plain text only."
	case utf8.RuneCountInString(command) > max:
		msg = fmt.Sprintf("A command can be at most %d characters long; this one has %d.", max, utf8.RuneCountInString(command))
	default:
		return nil
	}
	return &Error{Class: ErrInvalid, Op: "console command", Detail: "command refused before sending", Message: msg}
}

func isLineBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085'
}

// isControl covers C0/C1 controls and the invisible format characters
// (bidirectional overrides, zero-width joiners) that can disguise a command.
func isControl(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }
