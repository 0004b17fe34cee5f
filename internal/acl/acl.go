// Package acl decides who may see and control game servers from Discord.
//
// There are three tiers: View (/servers, /status), Operate (start) and Admin
// (stop, restart, kill, console commands). Members earn a tier through their
// guild roles, and admins also by user ID. Seeing is open to the whole guild
// unless viewer roles are configured; control is denied by default, so a bot
// whose owner configured nothing lets nobody act. One server can carry its own
// rules that replace the global ones for that server.
package acl

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// The environment variables the bot's owner sets; refusals name them so the
// user can tell the owner exactly what to change.
const (
	EnvViewerRoles   = "ACL_VIEWER_ROLES"
	EnvOperatorRoles = "ACL_OPERATOR_ROLES"
	EnvAdminRoles    = "ACL_ADMIN_ROLES"
	EnvAdminUsers    = "ACL_ADMIN_USERS"
)

// Tier is a level of access; each tier includes the ones below it.
type Tier int

// The tiers, lowest first.
const (
	View Tier = iota + 1
	Operate
	Admin
)

// String names the tier as users know it (the role they need).
func (t Tier) String() string {
	switch t {
	case View:
		return "viewer"
	case Operate:
		return "operator"
	case Admin:
		return "admin"
	default:
		return fmt.Sprintf("tier(%d)", int(t))
	}
}

// Rules grant the tiers. Every entry is a Discord snowflake.
type Rules struct {
	ViewerRoles   []string
	OperatorRoles []string
	AdminRoles    []string
	AdminUsers    []string
}

func (r Rules) validate() error {
	for _, list := range [][]string{r.ViewerRoles, r.OperatorRoles, r.AdminRoles, r.AdminUsers} {
		for _, id := range list {
			if err := ValidateID(id); err != nil {
				return err
			}
		}
	}
	return nil
}

// over returns r with every non-empty list of o replacing r's.
func (r Rules) over(o Rules) Rules {
	pick := func(global, own []string) []string {
		if len(own) > 0 {
			return own
		}
		return global
	}
	return Rules{
		ViewerRoles:   pick(r.ViewerRoles, o.ViewerRoles),
		OperatorRoles: pick(r.OperatorRoles, o.OperatorRoles),
		AdminRoles:    pick(r.AdminRoles, o.AdminRoles),
		AdminUsers:    pick(r.AdminUsers, o.AdminUsers),
	}
}

// Member is who clicked or typed: a guild member's user ID and role IDs. The
// zero Member stands for an interaction outside a guild (a DM), which every
// check refuses.
type Member struct {
	UserID string
	Roles  []string
}

// Policy holds the global rules and the per-server overrides. It is safe for
// concurrent use.
type Policy struct {
	global Rules

	mu        sync.RWMutex
	overrides map[string]Rules // by lower-cased target key
}

// New validates the global rules (every ID a snowflake) and returns a policy.
func New(global Rules) (*Policy, error) {
	if err := global.validate(); err != nil {
		return nil, fmt.Errorf("access rules: %w", err)
	}
	return &Policy{global: global, overrides: make(map[string]Rules)}, nil
}

// Override gives one server (by panel.Target.Key, matched case-insensitively)
// its own rules. Each non-empty list replaces the global list for that server;
// an empty list inherits the global one. Setting it again replaces it.
func (p *Policy) Override(targetKey string, r Rules) error {
	if strings.TrimSpace(targetKey) == "" {
		return fmt.Errorf("access rules override: name the server as <panel>/<id>")
	}
	if err := r.validate(); err != nil {
		return fmt.Errorf("access rules for %s: %w", targetKey, err)
	}
	p.mu.Lock()
	p.overrides[strings.ToLower(targetKey)] = r
	p.mu.Unlock()
	return nil
}

// rulesFor returns the effective rules for a target and whether an override
// took part.
func (p *Policy) rulesFor(targetKey string) (Rules, bool) {
	if targetKey == "" {
		return p.global, false
	}
	p.mu.RLock()
	o, ok := p.overrides[strings.ToLower(targetKey)]
	p.mu.RUnlock()
	if !ok {
		return p.global, false
	}
	return p.global.over(o), true
}

// Check returns nil when m holds tier t on the target (empty targetKey: the
// global rules), and otherwise a *DeniedError saying which tier is missing.
func (p *Policy) Check(m Member, t Tier, targetKey string) error {
	if m.UserID == "" {
		return &DeniedError{Tier: t, Reason: ReasonNotInGuild}
	}
	rules, override := p.rulesFor(targetKey)
	reason := decide(rules, m, t)
	if reason == 0 {
		return nil
	}
	return &DeniedError{Tier: t, Reason: reason, UserID: m.UserID, Target: targetKey, Override: override}
}

// CheckAny returns nil when m holds tier t globally or on at least one
// overridden server. The command layer uses it before it knows the server,
// so a refusal does not depend on whether a typed name exists.
func (p *Policy) CheckAny(m Member, t Tier) error {
	err := p.Check(m, t, "")
	if err == nil || m.UserID == "" {
		return err
	}
	p.mu.RLock()
	keys := make([]string, 0, len(p.overrides))
	for k := range p.overrides {
		keys = append(keys, k)
	}
	p.mu.RUnlock()
	for _, k := range keys {
		if p.Check(m, t, k) == nil {
			return nil
		}
	}
	return err
}

// decide applies the tier rules; 0 means allowed.
func decide(r Rules, m Member, t Tier) Reason {
	admin := slices.Contains(r.AdminUsers, m.UserID) || hasAny(m.Roles, r.AdminRoles)
	operator := hasAny(m.Roles, r.OperatorRoles)
	var allowed, configured bool
	switch t {
	case View:
		allowed = len(r.ViewerRoles) == 0 || hasAny(m.Roles, r.ViewerRoles) || operator || admin
		configured = true
	case Operate:
		allowed = operator || admin
		configured = len(r.OperatorRoles)+len(r.AdminRoles)+len(r.AdminUsers) > 0
	default:
		// Admin, and any tier this code does not know: the strictest rule.
		allowed = admin
		configured = len(r.AdminRoles)+len(r.AdminUsers) > 0
	}
	switch {
	case allowed:
		return 0
	case !configured:
		return ReasonUnconfigured
	default:
		return ReasonMissingRole
	}
}

func hasAny(have, want []string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}
