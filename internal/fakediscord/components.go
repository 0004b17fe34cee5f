package fakediscord

import (
	"strconv"
)

// Component types a message may carry in action rows.
const (
	compRow    = 1
	compButton = 2
	compSelect = 3
	linkStyle  = 5
	skuStyle   = 6
)

// checkComponents validates classic (non-V2) components: up to 5 action
// rows of up to 5 buttons, or one select menu per row, custom IDs of at
// most 100 characters and unique within the message.
func checkComponents(k *checker, path []string, v any) {
	rows := maxItems(k, path, v, 5)
	seen := map[string]bool{}
	for i, r := range rows {
		rp := sub(path, strconv.Itoa(i))
		row, ok := object(k, rp, r)
		if !ok {
			continue
		}
		if t, _ := integer(k, sub(rp, "type"), row["type"]); t != compRow {
			k.add(sub(rp, "type"), "UNION_TYPE_CHOICES", `Value of field "type" must be one of (1,).`)
			continue
		}
		items, _ := array(k, sub(rp, "components"), row["components"])
		if len(items) < 1 || len(items) > 5 {
			k.add(sub(rp, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
		}
		for j, it := range items {
			checkComponent(k, sub(rp, "components", strconv.Itoa(j)), it, len(items), seen)
		}
	}
}

func checkComponent(k *checker, path []string, v any, siblings int, seen map[string]bool) {
	c, ok := object(k, path, v)
	if !ok {
		return
	}
	t, _ := integer(k, sub(path, "type"), c["type"])
	switch t {
	case compButton:
		checkButton(k, path, c, seen)
	case compSelect, 5, 6, 7, 8:
		if siblings > 1 {
			k.add(path, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
		}
		checkSelect(k, path, c, t, seen)
	default:
		k.add(sub(path, "type"), "UNION_TYPE_CHOICES", `Value of field "type" must be one of (2, 3, 5, 6, 7, 8).`)
	}
}

func checkCustomID(k *checker, path []string, v any, seen map[string]bool) {
	between(k, path, v, 1, 100)
	s, _ := v.(string)
	if s != "" && seen[s] {
		k.add(path, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
	}
	seen[s] = true
}

// checkButton applies the button rules; discordgo always sends "label" and
// may send "" for url/custom_id, which Discord reads as absent.
func checkButton(k *checker, path []string, b map[string]any, seen map[string]bool) {
	style, ok := integer(k, sub(path, "style"), b["style"])
	if !ok || style < 1 || style > skuStyle {
		k.add(sub(path, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).")
		return
	}
	label := maxLen(k, sub(path, "label"), b["label"], 80)
	url, _ := b["url"].(string)
	customID, _ := b["custom_id"].(string)
	switch style {
	case linkStyle:
		if url == "" {
			k.add(sub(path, "url"), "BUTTON_COMPONENT_URL_REQUIRED", "A link button requires a url")
		}
		if customID != "" {
			k.add(sub(path, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "A link button cannot have a custom_id")
		}
	case skuStyle:
		if s, _ := b["sku_id"].(string); s == "" {
			k.add(sub(path, "sku_id"), "BASE_TYPE_REQUIRED", "This field is required")
		}
		return
	default:
		checkCustomID(k, sub(path, "custom_id"), b["custom_id"], seen)
		if url != "" {
			k.add(sub(path, "url"), "BUTTON_COMPONENT_URL_NOT_ALLOWED", "Only link buttons can have a url")
		}
	}
	if label == 0 && !hasEmoji(b["emoji"]) {
		k.add(path, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A button needs a label or an emoji")
	}
}

func hasEmoji(v any) bool {
	e, _ := v.(map[string]any)
	name, _ := e["name"].(string)
	id, _ := e["id"].(string)
	return name != "" || id != ""
}

func checkSelect(k *checker, path []string, c map[string]any, t int64, seen map[string]bool) {
	checkCustomID(k, sub(path, "custom_id"), c["custom_id"], seen)
	maxLen(k, sub(path, "placeholder"), c["placeholder"], 150)
	hi := checkSelectRange(k, path, c)
	if t == compSelect {
		checkSelectOptions(k, path, c, hi)
	}
}

// checkSelectRange checks min_values/max_values and returns max_values.
func checkSelectRange(k *checker, path []string, c map[string]any) int64 {
	lo, hasLo := integer(k, sub(path, "min_values"), c["min_values"])
	hi, hasHi := integer(k, sub(path, "max_values"), c["max_values"])
	if !hasHi {
		hi = 1
	}
	if hasLo && (lo < 0 || lo > 25) {
		k.add(sub(path, "min_values"), "NUMBER_TYPE_MAX", "int value should be between 0 and 25.")
	}
	if hasHi && (hi < 1 || hi > 25) {
		k.add(sub(path, "max_values"), "NUMBER_TYPE_MAX", "int value should be between 1 and 25.")
	}
	if hasLo && lo > hi {
		k.add(sub(path, "min_values"), "SELECT_COMPONENT_MIN_MAX_INVALID", "min_values cannot exceed max_values")
	}
	return hi
}

// checkSelectOptions checks a string menu's 1-25 options.
func checkSelectOptions(k *checker, path []string, c map[string]any, hi int64) {
	opts, _ := array(k, sub(path, "options"), c["options"])
	if len(opts) < 1 || len(opts) > 25 {
		k.add(sub(path, "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
	}
	if int(hi) > len(opts) && len(opts) > 0 {
		k.add(sub(path, "max_values"), "SELECT_COMPONENT_MAX_VALUES_EXCEEDED", "max_values cannot exceed the number of options")
	}
	for i, o := range opts {
		op := sub(path, "options", strconv.Itoa(i))
		if m, ok := object(k, op, o); ok {
			between(k, sub(op, "label"), m["label"], 1, 100)
			between(k, sub(op, "value"), m["value"], 1, 100)
			maxLen(k, sub(op, "description"), m["description"], 100)
		}
	}
}
