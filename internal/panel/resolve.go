package panel

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/panelbot/panelbot/internal/trunc"
)

// Resolve finds the server a user means. ref is, case-insensitively, a
// target key ("panel/id"), a server identifier, a configured alias or a
// server name, optionally prefixed by "panel/" to pick one panel. A name
// found on several panels is ErrAmbiguous; nothing found is ErrNotFound.
// The cached list is refreshed once before giving up, so a server created
// a moment ago is found.
func (r *Registry) Resolve(ctx context.Context, ref string) (Target, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Target{}, &Error{Class: ErrNotFound, Op: "resolve server", Message: "Name a server: pick one from the list or type its name or identifier."}
	}
	targets, err := r.Targets(ctx)
	t, found, rerr := r.match(targets, ref)
	if found || rerr != nil {
		return t, rerr
	}
	if err == nil {
		// Not in the cached list: the server may be new.
		r.Invalidate()
		targets, err = r.Targets(ctx)
		if t, found, rerr = r.match(targets, ref); found || rerr != nil {
			return t, rerr
		}
	}
	if err != nil && !isPartial(err) {
		return Target{}, err
	}
	return Target{}, &Error{Class: ErrNotFound, Op: "resolve server", Detail: ref,
		Message: fmt.Sprintf("No server called %q. Check the name with /servers.", trunc.Runes(ref, 101))}
}

func isPartial(err error) bool {
	var pe *PartialError
	return errors.As(err, &pe)
}

// match applies the lookup order: key or identifier first (they are exact),
// then alias, then name.
func (r *Registry) match(targets []Target, ref string) (Target, bool, error) {
	panelName, rest := "", ref
	if i := strings.Index(ref, "/"); i > 0 && r.hasPanel(ref[:i]) {
		panelName, rest = ref[:i], ref[i+1:]
	}
	for _, by := range []func(Target) bool{
		func(t Target) bool {
			return strings.EqualFold(t.Server.ID, rest) || (t.Server.UUID != "" && strings.EqualFold(t.Server.UUID, rest))
		},
		func(t Target) bool { return strings.EqualFold(r.aliasID(t.Panel, rest), t.Server.ID) },
		func(t Target) bool { return strings.EqualFold(t.Server.Name, rest) },
	} {
		var hits []Target
		for _, t := range targets {
			if (panelName == "" || strings.EqualFold(t.Panel, panelName)) && by(t) {
				hits = append(hits, t)
			}
		}
		switch len(hits) {
		case 0:
			continue
		case 1:
			return hits[0], true, nil
		default:
			return Target{}, false, ambiguous(ref, hits)
		}
	}
	return Target{}, false, nil
}

func ambiguous(ref string, hits []Target) error {
	keys := make([]string, 0, len(hits))
	for _, h := range hits {
		keys = append(keys, h.Panel+"/"+h.Server.Name)
	}
	return &Error{Class: ErrAmbiguous, Op: "resolve server", Detail: ref,
		Message: fmt.Sprintf("More than one server is called %q; write it as %s.", trunc.Runes(ref, 101), strings.Join(keys, " or "))}
}

func (r *Registry) hasPanel(name string) bool {
	for _, p := range r.panels {
		if strings.EqualFold(p.name, name) {
			return true
		}
	}
	return false
}

func (r *Registry) aliasID(panelName, alias string) string {
	for _, p := range r.panels {
		if strings.EqualFold(p.name, panelName) {
			return p.aliases[strings.ToLower(alias)]
		}
	}
	return ""
}
