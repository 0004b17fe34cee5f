package config

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxWarnCommand bounds a warn_command: a console line, not a script.
const maxWarnCommand = 200

// warnCommand reads warn_command: the console command a scheduled action's
// countdown sends, with {action} and {in} filled in; "" when absent.
func (d *decoder) warnCommand(p pair) string {
	v := d.text(p)
	if v == "" {
		return ""
	}
	if utf8.RuneCountInString(v) > maxWarnCommand || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		d.fail(p.value, "warn_command must be one console line of at most %d characters, such as \"say Server {action} in {in}\"", maxWarnCommand)
		return ""
	}
	return v
}

// WarnCommand is the countdown template for the server key ("panel/id"):
// the server's warn_command, else its panel's; "" when neither sets one.
func (f *File) WarnCommand(key string) string {
	if f == nil {
		return ""
	}
	for _, p := range f.Panels {
		for _, s := range p.Servers {
			if p.TargetKey(s) == key && s.WarnCommand != "" {
				return s.WarnCommand
			}
		}
		if strings.HasPrefix(key, p.Name+"/") && p.WarnCommand != "" {
			return p.WarnCommand
		}
	}
	return ""
}
