package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/manualclock"
)

// panelActions are the power and console requests the panel received, as
// their JSON bodies.
func (b *bot) panelActions() []string {
	var out []string
	for _, r := range b.sim.Requests() {
		if r.Method == "POST" && (strings.HasSuffix(r.Path, "/power") || strings.HasSuffix(r.Path, "/command")) {
			out = append(out, string(r.Body))
		}
	}
	return out
}

// auditLines are the audit channel's messages.
func (b *bot) auditLines() []string {
	var out []string
	for _, m := range b.dc.Messages(auditChannel) {
		out = append(out, m.Content)
	}
	return out
}

// TestScheduleCountdownRestartAndLostRole: a restart scheduled through
// /schedule sends its countdown and signal on the schedules' clock, across
// an app.Run restart, and is skipped once its creator lost the role.
func TestScheduleCountdownRestartAndLostRole(t *testing.T) {
	clk := manualclock.New(time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC))
	b := startBot(t, func(s *setup) { s.clock = clk })
	b.dc.SetMember(guildID, admin.UserID, adminRole)
	p := b.dispatch(t, b.dc.Command(admin, "schedule", fakediscord.Sub("add", fakediscord.Value("server", "Survival"),
		fakediscord.Value("action", "restart"), fakediscord.Value("when", "daily 04:00"))))
	require.Contains(t, b.reply(t, p).Content, "Schedule 1: restart")

	// The runner is parked once the clock holds the waits expected: its
	// own, and those of earlier waits not yet due (a stopped runner's
	// too), counted by hand.
	parked := func(n int) {
		require.Eventually(t, func() bool { return clk.Pending() == n }, 10*time.Second, time.Millisecond)
	}
	step := func(d time.Duration, actions, pending int) {
		clk.Advance(d)
		require.Eventually(t, func() bool { return len(b.panelActions()) == actions }, 10*time.Second, time.Millisecond)
		parked(pending)
	}
	parked(2) // the empty round's hour, and 03:50
	step(50*time.Minute, 1, 2)
	assert.Equal(t, []string{`{"command":"say Server restarting in 10m"}`}, b.panelActions())

	b.restart(t)
	parked(3) // the new runner's 03:55 joins the old one's
	step(5*time.Minute, 2, 2)
	step(4*time.Minute, 3, 2)
	step(time.Minute, 4, 1)
	assert.Equal(t, []string{`{"command":"say Server restarting in 10m"}`, `{"command":"say Server restarting in 5m"}`,
		`{"command":"say Server restarting in 1m"}`, `{"signal":"restart"}`}, b.panelActions())
	require.Eventually(t, func() bool { return strings.Contains(strings.Join(b.auditLines(), "\n"), "scheduled restart") },
		10*time.Second, time.Millisecond)

	b.dc.SetMember(guildID, admin.UserID) // the admin role taken away
	clk.Advance(24 * time.Hour)
	require.Eventually(t, func() bool { return strings.Contains(strings.Join(b.auditLines(), "\n"), "refused") },
		10*time.Second, time.Millisecond, "audit: %v", b.auditLines())
	assert.Len(t, b.panelActions(), 4, "no second restart")
}
