package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/panel"
)

// target resolves what the user typed and checks the member's tier on it.
// A member who holds the tier nowhere is refused before any panel is asked,
// so a refusal never depends on whether the typed name exists.
func (r *Router) target(ctx context.Context, rq *request, ref string, tier acl.Tier) (panel.Target, error) {
	if err := r.acl.CheckAny(rq.member, tier); err != nil {
		return panel.Target{}, err
	}
	t, err := r.panels.Resolve(ctx, ref)
	if err != nil {
		return panel.Target{}, err
	}
	return r.checked(rq, t, tier)
}

// targetByKey finds the server a button names. The clicker's tier is checked
// on the key before the panel is asked, and the resolved server must carry
// exactly that key: a button is never trusted to name a server by anything
// looser.
func (r *Router) targetByKey(ctx context.Context, rq *request, key string, tier acl.Tier) (panel.Target, error) {
	rq.server = key
	if err := r.acl.Check(rq.member, tier, key); err != nil {
		return panel.Target{}, err
	}
	t, err := r.panels.Resolve(ctx, key)
	if errors.Is(err, panel.ErrNotFound) || (err == nil && !strings.EqualFold(t.Key(), key)) {
		return panel.Target{}, &userError{msg: msgVanishedServer, cause: fmt.Errorf("button names %s: %v", key, err)}
	}
	if err != nil {
		return panel.Target{}, err
	}
	return r.checked(rq, t, tier)
}

func (r *Router) checked(rq *request, t panel.Target, tier acl.Tier) (panel.Target, error) {
	rq.server = t.Key()
	if rq.audit != nil {
		rq.audit.server = t.Key()
	}
	if err := r.acl.Check(rq.member, tier, t.Key()); err != nil {
		return panel.Target{}, err
	}
	if t.Client == nil {
		return panel.Target{}, &userError{msg: msgNoClient, cause: fmt.Errorf("target %s has no client", t.Key())}
	}
	return t, nil
}
