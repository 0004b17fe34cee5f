package config

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder walks the YAML nodes by hand rather than unmarshalling into
// structs, so that every mistake, type errors included, carries its line and
// a sentence of advice. Like the environment loader it reports every
// mistake; a check that depends on a refused value is skipped (see since).
type decoder struct {
	path   string
	getenv Getenv
	errs   []error
}

// maxFileErrors bounds one report: past it, what follows is more likely
// noise from one early mistake (a file that is not YAML for panelbot).
const maxFileErrors = 20

func (d *decoder) fail(n *yaml.Node, format string, args ...any) {
	fe := &FileError{Path: d.path, Line: lineOf(n), Problem: fmt.Sprintf(format, args...)}
	for _, e := range d.errs {
		if *e.(*FileError) == *fe {
			return
		}
	}
	if len(d.errs) < maxFileErrors {
		d.errs = append(d.errs, fe)
	}
}

// mark and since tell whether a step failed: n := d.mark(); …; d.since(n).
func (d *decoder) mark() int { return len(d.errs) }

func (d *decoder) since(n int) bool { return len(d.errs) > n }

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

// pair is one "key: value" line; value is nil when the key is absent or its
// value is null, which the file treats alike.
type pair struct{ key, value *yaml.Node }

// mapping is a YAML mapping whose keys are plain and unique.
type mapping struct {
	node  *yaml.Node
	pairs []pair
	byKey map[string]pair
}

// get returns the pair for key; its value is nil when absent or null.
func (m *mapping) get(key string) pair {
	if m == nil {
		return pair{}
	}
	return m.byKey[key]
}

// text is the scalar value of key without validation, "" when absent or not
// a scalar; it lets a check peek at a field before its own turn.
func (m *mapping) text(key string) string {
	if v := m.get(key).value; v != nil && v.Kind == yaml.ScalarNode {
		return strings.TrimSpace(v.Value)
	}
	return ""
}

// mapping checks that n is a mapping of plain, unique keys. what names n in
// the advice ("each entry under panels:"). It returns nil after a failure.
func (d *decoder) mapping(n *yaml.Node, what string) *mapping {
	if !d.plain(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, "%s must be \"key: value\" lines, not %s", what, describe(n))
		return nil
	}
	m := &mapping{node: n, byKey: make(map[string]pair)}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			d.fail(k, "keys must be plain words such as name: or url: (no lists, anchors or << merges)")
			return nil
		}
		if first, dup := m.byKey[k.Value]; dup {
			d.fail(k, "%s is set twice (first on line %d): keep one", quoted(k.Value), first.key.Line)
			return nil
		}
		if isNull(v) {
			v = nil
		}
		p := pair{key: k, value: v}
		m.pairs = append(m.pairs, p)
		m.byKey[k.Value] = p
	}
	return m
}

// plain refuses aliases (*name): the schema never needs them, and refusing
// them rules out alias bombs and values that appear far from their line.
func (d *decoder) plain(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		d.fail(n, "anchors and aliases (&name, *name) are not supported here: write the value out")
		return false
	}
	return true
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names a node's shape for "must be X, not Y" messages, never its
// value, which could be a secret.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "\"key: value\" lines"
	default:
		return "a single value"
	}
}

// sequence returns the items of a list; a missing value is an empty list.
func (d *decoder) sequence(p pair, advice string) []*yaml.Node {
	n := p.value
	if n == nil || !d.plain(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, "%s must be a list, not %s: %s", p.key.Value, describe(n), advice)
		return nil
	}
	return n.Content
}

// text returns a scalar's value, trimmed.
func (d *decoder) text(p pair) string {
	n := p.value
	if n == nil || !d.plain(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.fail(n, "%s must be a single value, not %s", p.key.Value, describe(n))
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// boolean accepts YAML's true/false and, as RELAY_COMMANDS does, on/off.
func (d *decoder) boolean(p pair) bool {
	v := strings.ToLower(d.text(p))
	switch v {
	case "", "false", "off", "no":
		return false
	case "true", "on", "yes":
		return true
	}
	d.fail(p.value, "%s must be true or false", p.key.Value)
	return false
}

// integer reads a whole number in [lo, hi]; absent is 0.
func (d *decoder) integer(p pair, lo, hi int, unit string) int {
	v := d.text(p)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		d.fail(p.value, "%s must be a whole number from %d to %d (%s), not %s", p.key.Value, lo, hi, unit, quoted(v))
		return 0
	}
	return n
}
