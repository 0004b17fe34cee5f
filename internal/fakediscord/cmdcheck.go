package fakediscord

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Application command option types.
const (
	optSubCommand = 1
	optGroup      = 2
	optString     = 3
	optInteger    = 4
	optBoolean    = 5
	optUser       = 6
	optChannel    = 7
	optRole       = 8
	optMention    = 9
	optNumber     = 10
	optAttachment = 11
)

// maxCommandSize is Discord's cap on the characters of a command's names,
// descriptions and choice names and values together.
const maxCommandSize = 4000

func validChatName(n string) bool { return chatNameRE.MatchString(n) && n == strings.ToLower(n) }

// checkCommand validates one command definition at path.
func checkCommand(k *checker, path []string, d cmdDef) {
	switch d.kind() {
	case 1:
		if !validChatName(d.Name) {
			k.add(sub(path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid: 1-32 lowercase letters, digits, - or _.")
		}
		between(k, sub(path, "description"), d.Description, 1, 100)
		checkOptions(k, sub(path, "options"), d.Options, 0)
	case 2, 3:
		between(k, sub(path, "name"), d.Name, 1, 32)
		if d.Description != "" {
			k.add(sub(path, "description"), "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION", "Context menu commands cannot have a description")
		}
		if len(d.Options) > 0 {
			k.add(sub(path, "options"), "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS", "Context menu commands cannot have options")
		}
	default:
		k.add(sub(path, "type"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3).")
	}
	if _, ok := d.defaultPerms(); !ok {
		k.add(sub(path, "default_member_permissions"), "BASE_TYPE_BAD_INT", "Must be a permission bit set as a string of digits, or null.")
	}
	if commandSize(d) > maxCommandSize {
		k.add(path, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)")
	}
}

func commandSize(d cmdDef) int {
	return utf8.RuneCountInString(d.Name) + utf8.RuneCountInString(d.Description) + optionsSize(d.Options)
}

func optionsSize(opts []optDef) int {
	n := 0
	for _, o := range opts {
		n += utf8.RuneCountInString(o.Name) + utf8.RuneCountInString(o.Description) + optionsSize(o.Options)
		for _, c := range o.Choices {
			n += utf8.RuneCountInString(c.Name)
			if s, ok := c.Value.(string); ok {
				n += utf8.RuneCountInString(s)
			}
		}
	}
	return n
}

// checkOptions validates one level of options; parent is 0 at the top,
// else the type of the enclosing sub-command or group.
func checkOptions(k *checker, path []string, opts []optDef, parent int) {
	if len(opts) > 25 {
		k.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
	}
	seen := map[string]bool{}
	optional, subs, plain := false, 0, 0
	for i, o := range opts {
		op := sub(path, strconv.Itoa(i))
		if !validChatName(o.Name) {
			k.add(sub(op, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Option name is invalid: 1-32 lowercase letters, digits, - or _.")
		}
		if seen[o.Name] {
			k.add(sub(op, "name"), "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS", "Option names must be unique")
		}
		seen[o.Name] = true
		between(k, sub(op, "description"), o.Description, 1, 100)
		if o.Required && optional {
			k.add(op, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
		}
		optional = optional || !o.Required
		if o.Type == optSubCommand || o.Type == optGroup {
			subs++
		} else {
			plain++
		}
		checkOption(k, op, o, parent)
	}
	if subs > 0 && plain > 0 {
		k.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-command and sub-command group option types are mutually exclusive to all other types")
	}
}

// checkOption applies the per-type rules to one option.
func checkOption(k *checker, op []string, o optDef, parent int) {
	switch {
	case o.Type < optSubCommand || o.Type > optAttachment:
		k.add(sub(op, "type"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11).")
	case o.Type == optGroup && parent != 0, o.Type == optSubCommand && parent == optSubCommand:
		k.add(sub(op, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Sub-commands nest at most as group > sub-command")
	case parent == optGroup && o.Type != optSubCommand:
		k.add(sub(op, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "A sub-command group may only contain sub-commands")
	}
	if o.Type == optSubCommand || o.Type == optGroup {
		checkOptions(k, sub(op, "options"), o.Options, o.Type)
		return
	}
	if len(o.Options) > 0 {
		k.add(sub(op, "options"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Only sub-commands and groups may have options")
	}
	checkChoices(k, op, o)
	numeric := o.Type == optInteger || o.Type == optNumber
	if (o.MinValue != nil || o.MaxValue != nil) && !numeric {
		k.add(op, "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "min_value and max_value are only for integer and number options")
	}
	if (o.MinLength != nil || o.MaxLength != nil) && o.Type != optString {
		k.add(op, "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "min_length and max_length are only for string options")
	}
	if o.MinLength != nil && (*o.MinLength < 0 || *o.MinLength > 6000) {
		k.add(sub(op, "min_length"), "NUMBER_TYPE_MAX", "int value should be between 0 and 6000.")
	}
	if o.MaxLength != nil && (*o.MaxLength < 1 || *o.MaxLength > 6000) {
		k.add(sub(op, "max_length"), "NUMBER_TYPE_MAX", "int value should be between 1 and 6000.")
	}
}

func checkChoices(k *checker, op []string, o optDef) {
	choosable := o.Type == optString || o.Type == optInteger || o.Type == optNumber
	if (len(o.Choices) > 0 || o.Autocomplete) && !choosable {
		k.add(op, "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "choices and autocomplete are only for string, integer and number options")
	}
	if len(o.Choices) > 0 && o.Autocomplete {
		k.add(sub(op, "autocomplete"), "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID", "Autocomplete cannot be used with choices")
	}
	if len(o.Choices) > 25 {
		k.add(sub(op, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
	}
	for i, c := range o.Choices {
		cp := sub(op, "choices", strconv.Itoa(i))
		between(k, sub(cp, "name"), c.Name, 1, 100)
		if !choiceTypeOK(o.Type, c.Value) {
			k.add(sub(cp, "value"), "APPLICATION_COMMAND_OPTION_CHOICE_VALUE_INVALID", "Choice value does not match the option type")
		}
	}
}

// choiceTypeOK checks a choice value against its option type; strings are
// at most 100 characters.
func choiceTypeOK(t int, v any) bool {
	switch x := v.(type) {
	case string:
		return t == optString && x != "" && utf8.RuneCountInString(x) <= 100
	case float64:
		return t == optNumber || (t == optInteger && x == math.Trunc(x))
	}
	return false
}
