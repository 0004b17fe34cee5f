package fakediscord

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Message flags Discord lets a bot set.
const (
	FlagSuppressEmbeds        = 1 << 2
	FlagEphemeral             = 1 << 6
	FlagSuppressNotifications = 1 << 12
	FlagComponentsV2          = 1 << 15

	channelFlags     = FlagSuppressEmbeds | FlagSuppressNotifications | FlagComponentsV2
	interactionFlags = channelFlags | FlagEphemeral

	maxAttachBytes = 10 << 20
	maxAttachments = 10
)

// The JSON accessors below report a type error at path and return ok=false
// for absent (nil) values too, so callers treat null like absent, as
// Discord does for optional fields.

func str(k *checker, path []string, v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	}
	k.add(path, "BASE_TYPE_STRING", "Must be a string.")
	return "", false
}

func integer(k *checker, path []string, v any) (int64, bool) {
	if v == nil {
		return 0, false
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i, true
		}
	}
	k.add(path, "NUMBER_TYPE_COERCE", fmt.Sprintf("Value \"%v\" is not int.", v))
	return 0, false
}

func array(k *checker, path []string, v any) ([]any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case []any:
		return x, true
	}
	k.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
	return nil, false
}

func object(k *checker, path []string, v any) (map[string]any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case map[string]any:
		return x, true
	}
	k.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
	return nil, false
}

// maxLen checks an optional string's length in characters and returns it,
// so embed totals can be summed.
func maxLen(k *checker, path []string, v any, limit int) int {
	s, ok := str(k, path, v)
	if !ok {
		return 0
	}
	n := utf8.RuneCountInString(s)
	if n > limit {
		k.add(path, "BASE_TYPE_MAX_LENGTH", "Must be "+strconv.Itoa(limit)+" or fewer in length.")
	}
	return n
}

// between checks a required string of min..max characters.
func between(k *checker, path []string, v any, lo, hi int) int {
	s, ok := str(k, path, v)
	if !ok || s == "" {
		k.add(path, "BASE_TYPE_REQUIRED", "This field is required")
		return 0
	}
	n := utf8.RuneCountInString(s)
	if n < lo || n > hi {
		k.add(path, "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between %d and %d in length.", lo, hi))
	}
	return n
}

// maxItems checks an optional array's length and returns its items.
func maxItems(k *checker, path []string, v any, limit int) []any {
	a, _ := array(k, path, v)
	if len(a) > limit {
		k.add(path, "BASE_TYPE_MAX_LENGTH", "Must be "+strconv.Itoa(limit)+" or fewer in length.")
	}
	return a
}

// checkMessage validates the message fields of a create or edit body at
// base (nil for channel messages, ["data"] for interaction callbacks).
func checkMessage(k *checker, base []string, m map[string]any, allowedFlags int64) {
	maxLen(k, sub(base, "content"), m["content"], 2000)
	checkEmbeds(k, sub(base, "embeds"), m["embeds"])
	flags, _ := integer(k, sub(base, "flags"), m["flags"])
	if flags&^allowedFlags != 0 {
		k.add(sub(base, "flags"), "MESSAGE_FLAGS_INVALID", "Invalid flags")
	}
	if flags&FlagComponentsV2 == 0 {
		checkComponents(k, sub(base, "components"), m["components"])
	}
	checkAllowedMentions(k, sub(base, "allowed_mentions"), m["allowed_mentions"])
	if v, ok := m["tts"]; ok && v != nil {
		if _, isBool := v.(bool); !isBool {
			k.add(sub(base, "tts"), "BASE_TYPE_BOOLEAN", "Must be either true or false.")
		}
	}
}

// checkFiles applies Discord's attachment limits: 10 files, 10 MiB total
// (the latter answered 413 like Discord, not as a form error).
func checkFiles(k *checker, files []File) *reply {
	return checkFilesUpTo(k, files, maxAttachBytes)
}

// checkFilesUpTo is checkFiles with the guild's upload limit, which boosts
// raise (see WithPremiumTier).
func checkFilesUpTo(k *checker, files []File, maxBytes int) *reply {
	if len(files) > maxAttachments {
		k.add([]string{"files"}, "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
	}
	total := 0
	for _, f := range files {
		total += len(f.Data)
	}
	if total > maxBytes {
		return &errTooLarge
	}
	return nil
}

func checkEmbeds(k *checker, path []string, v any) {
	embeds := maxItems(k, path, v, 10)
	total := 0
	for i, e := range embeds {
		if o, ok := object(k, sub(path, strconv.Itoa(i)), e); ok {
			total += checkEmbed(k, sub(path, strconv.Itoa(i)), o)
		}
	}
	if total > 6000 {
		k.add(path, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
	}
}

// checkEmbed validates one embed and returns its characters counted
// towards the 6000 total.
func checkEmbed(k *checker, path []string, e map[string]any) int {
	n := maxLen(k, sub(path, "title"), e["title"], 256)
	n += maxLen(k, sub(path, "description"), e["description"], 4096)
	if c, ok := integer(k, sub(path, "color"), e["color"]); ok && (c < 0 || c > 0xFFFFFF) {
		k.add(sub(path, "color"), "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.")
	}
	if f, ok := object(k, sub(path, "footer"), e["footer"]); ok {
		n += between(k, sub(path, "footer", "text"), f["text"], 1, 2048)
	}
	if a, ok := object(k, sub(path, "author"), e["author"]); ok {
		n += between(k, sub(path, "author", "name"), a["name"], 1, 256)
	}
	fields := maxItems(k, sub(path, "fields"), e["fields"], 25)
	for i, f := range fields {
		fp := sub(path, "fields", strconv.Itoa(i))
		if o, ok := object(k, fp, f); ok {
			n += between(k, sub(fp, "name"), o["name"], 1, 256)
			n += between(k, sub(fp, "value"), o["value"], 1, 1024)
		}
	}
	return n
}

func checkAllowedMentions(k *checker, path []string, v any) {
	am, ok := object(k, path, v)
	if !ok {
		return
	}
	parse, _ := array(k, sub(path, "parse"), am["parse"])
	kinds := map[string]bool{}
	for i, p := range parse {
		s, _ := str(k, sub(path, "parse", strconv.Itoa(i)), p)
		if s != "roles" && s != "users" && s != "everyone" {
			k.add(sub(path, "parse", strconv.Itoa(i)), "BASE_TYPE_CHOICES", "Value must be one of ('roles', 'users', 'everyone').")
		}
		kinds[s] = true
	}
	users := maxItems(k, sub(path, "users"), am["users"], 100)
	roles := maxItems(k, sub(path, "roles"), am["roles"], 100)
	if (kinds["users"] && len(users) > 0) || (kinds["roles"] && len(roles) > 0) {
		k.add(path, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "parse:[\"users\"] and users: [ids...] are mutually exclusive.")
	}
}

// checkNoPings is WithPingsRefused's rule for one message body at base;
// role, when not "", is the one role (WithRoleMentionAllowed) the body may
// name alone in allowed_mentions.roles.
func checkNoPings(k *checker, base []string, m map[string]any, role string) {
	am, _ := m["allowed_mentions"].(map[string]any)
	parse, _ := am["parse"].([]any)
	users, _ := am["users"].([]any)
	roles, _ := am["roles"].([]any)
	replied, _ := am["replied_user"].(bool)
	if role != "" && len(roles) == 1 && roles[0] == role {
		roles = nil
	}
	if am == nil || am["parse"] == nil || len(parse)+len(users)+len(roles) > 0 || replied {
		k.add(sub(base, "allowed_mentions"), "ALLOWED_MENTIONS_REQUIRED",
			`fakediscord.WithPingsRefused: every message must carry allowed_mentions {"parse": []}`)
	}
}

// emptyMessage is Discord's test for 50006: nothing to show at all.
func emptyMessage(m map[string]any, files int) bool {
	if files > 0 || m["poll"] != nil {
		return false
	}
	if s, _ := m["content"].(string); s != "" {
		return false
	}
	for _, key := range []string{"embeds", "components", "sticker_ids"} {
		if a, _ := m[key].([]any); len(a) > 0 {
			return false
		}
	}
	return true
}
