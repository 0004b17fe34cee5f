package commands

import (
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

func cmdSlash(m *discordgo.Member, server, command string) *discordgo.Interaction {
	return slash(m, cmdCmd, opt(optServer, server), opt(optCommand, command))
}

func TestCmd(t *testing.T) {
	e := setup(t)
	e.handle(cmdSlash(admin(), "abc123", "say hello `world`"))
	c := only(t, e.sess)
	assertEphemeral(t, c)
	assert.Contains(t, text(t, c), "Sent to **Survival \\(abc123\\)**: `say hello ˋworldˋ`")
	assert.Equal(t, []string{"say hello `world`"}, e.commandCalls(), "the panel gets the command unchanged")
}

func TestCmdRefusals(t *testing.T) {
	tests := []struct {
		name, command string
		m             *discordgo.Member
		want          string
	}{
		{"empty", "", admin(), "The command is empty"},
		{"blank", "   ", admin(), "The command is empty"},
		{"too long", strings.Repeat("x", panel.MaxCommandRunes+1), admin(), "at most 1000"},
		{"newline", "say a\nstop", admin(), "a single line"},
		{"carriage return", "say a\rstop", admin(), "a single line"},
		{"escape", "say \x1b[31m", admin(), "control characters"},
		{"bidi override", "say \u202eaaa", admin(), "control characters"},
		{"line separator", "say a\u2028stop", admin(), "a single line"},
		{"not utf-8", "say \xff", admin(), "not valid text"},
		{"operator", "say hi", operator(), "admin role"},
		{"viewer", "say hi", viewer(), "admin role"},
		{"DM", "say hi", nil, "direct messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.handle(cmdSlash(tt.m, "abc123", tt.command))
			c := only(t, e.sess)
			assertEphemeral(t, c)
			assert.Contains(t, text(t, c), tt.want)
			assert.Empty(t, e.commandCalls())
		})
	}
}

func TestCmdMaxLengthAccepted(t *testing.T) {
	e := setup(t)
	e.handle(cmdSlash(admin(), "abc123", strings.Repeat("é", panel.MaxCommandRunes)))
	require.Len(t, e.commandCalls(), 1)
}

func TestCmdPanelErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"offline (502)", &panel.Error{Class: panel.ErrOffline, Status: 502}, "The server is offline. Start it first"},
		{"panel down", &panel.Error{Class: panel.ErrUnavailable, Err: errNetwork}, "not answering properly"},
		{"rate limited", &panel.Error{Class: panel.ErrRateLimited, RetryAfter: 3e9}, "Try again in 3 s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, func(_ *Config, p *paneltest.Client) {
				p.CommandFn = func(context.Context, string, string) error { return tt.err }
			})
			e.handle(cmdSlash(admin(), "abc123", "say hi"))
			c := only(t, e.sess)
			assertEphemeral(t, c)
			assert.Contains(t, text(t, c), tt.want)
		})
	}
}

func TestCmdPanelWithoutCommands(t *testing.T) {
	e := setup(t, func(_ *Config, p *paneltest.Client) { p.FeatureSet = panel.Features(panel.FeatureResources) })
	e.handle(cmdSlash(admin(), "abc123", "say hi"))
	assert.Contains(t, text(t, only(t, e.sess)), "cannot send console commands")
	assert.Empty(t, e.commandCalls())
}

func TestCheckCommand(t *testing.T) {
	assert.NoError(t, checkCommand("say hi"))
	assert.NoError(t, checkCommand("tellraw @a {\"text\":\"ok\"}"))
	assert.Error(t, checkCommand("a\tb"))
	assert.Error(t, checkCommand("a\x7fb"))
	assert.Error(t, checkCommand("a\u0085b"))
	err := checkCommand("say a\nstop")
	assert.ErrorIs(t, err, panel.ErrInvalid, "the panel rule's refusal")
	assert.Equal(t, panel.UserMessage(err), userText(err), "the user reads the rule's sentence")
}

func TestCmdRefusalLoggedAsRoutine(t *testing.T) {
	e := setup(t)
	e.handle(cmdSlash(admin(), "abc123", "say a\nstop"))
	assert.Contains(t, e.logs.String(), `"level":"INFO","msg":"interaction failed"`)
	assert.NotContains(t, e.logs.String(), `"level":"WARN"`)
}

func TestCodeSpan(t *testing.T) {
	tests := []struct{ in, want string }{
		{"say hi", "`say hi`"},
		{"a`b``c", "`aˋbˋˋc`"},
		{"```", "`ˋˋˋ`"},
		{"", "(empty)"},
		{"a\nb", "`a b`"},
		{"@everyone", "`@everyone`"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, codeSpan(tt.in, 100), tt.in)
	}
	assert.Equal(t, 202, utf8.RuneCountInString(codeSpan(strings.Repeat("x", 500), 200)))
}

// lineBreakOrControl is what neither a code span nor an accepted command may
// hold.
func lineBreakOrControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

func FuzzCommandText(f *testing.F) {
	for _, s := range []string{"say hi", "", "a`b", "```", "x\ny", "\xff\xfe", "\u2028", strings.Repeat("`", 300), "@everyone <@123>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		span := codeSpan(s, auditCommandLen)
		if !utf8.ValidString(span) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if strings.ContainsAny(span, "\n\r") || strings.IndexFunc(span, lineBreakOrControl) >= 0 {
			t.Fatalf("line break or control in %q", span)
		}
		if span != "(empty)" {
			if strings.Count(span, "`") != 2 || span[0] != '`' || span[len(span)-1] != '`' {
				t.Fatalf("breakable code span %q", span)
			}
		}
		if n := utf8.RuneCountInString(span); n > auditCommandLen+2 {
			t.Fatalf("span too long: %d characters", n)
		}
		if checkCommand(s) == nil {
			if strings.IndexFunc(s, lineBreakOrControl) >= 0 || utf8.RuneCountInString(s) > panel.MaxCommandRunes || strings.TrimSpace(s) == "" {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}
