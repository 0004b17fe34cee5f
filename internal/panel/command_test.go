package panel

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidateCommand(t *testing.T) {
	assert.NoError(t, ValidateCommand("say hello wörld", MaxCommandRunes))
	assert.NoError(t, ValidateCommand(strings.Repeat("é", 1000), MaxCommandRunes))
	for name, bad := range map[string]string{
		"empty": "  ", "newline": "say a\nstop", "cr": "say a\rstop", "ls": "say a\u2028stop",
		"control": "say \x1b[31m", "bidi": "say \u202e", "invalid": "say \xff", "replacement": "say \uFFFD",
		"long": strings.Repeat("a", 1001),
	} {
		err := ValidateCommand(bad, MaxCommandRunes)
		assert.True(t, errors.Is(err, ErrInvalid), name)
		assert.NotEmpty(t, UserMessage(err), name)
	}
	assert.Error(t, ValidateCommand(strings.Repeat("a", 20), 10), "a panel's own lower limit")
}

func FuzzValidateCommand(f *testing.F) {
	f.Add("say hi")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateCommand(s, MaxCommandRunes) == nil && strings.ContainsAny(s, "\r\n") {
			t.Fatalf("%q passed with a line break", s)
		}
	})
}
