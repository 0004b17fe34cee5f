package panel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

type heard struct{ panel, op, outcome string }

type observerFunc func(panel, op, outcome string, d time.Duration)

func (f observerFunc) PanelRequest(p, op, outcome string, d time.Duration) { f(p, op, outcome, d) }

func TestObservedReportsEachCall(t *testing.T) {
	inner := &paneltest.Client{
		ServersFn: func(context.Context) ([]panel.Server, error) { return []panel.Server{{ID: "a"}}, nil },
		PowerFn: func(context.Context, string, panel.Signal) error {
			return &panel.Error{Class: panel.ErrRateLimited, Status: 429}
		},
		CommandFn: func(context.Context, string, string) error { return fmt.Errorf("send: %w", context.DeadlineExceeded) },
	}
	var got []heard
	c := panel.Observe(inner, "main", observerFunc(func(p, op, outcome string, d time.Duration) {
		assert.GreaterOrEqual(t, d, time.Duration(0))
		got = append(got, heard{p, op, outcome})
	}))
	servers, err := c.Servers(context.Background())
	require.NoError(t, err)
	assert.Len(t, servers, 1)
	_, err = c.Resources(context.Background(), "a")
	assert.ErrorIs(t, err, panel.ErrUnsupported, "paneltest's default")
	assert.ErrorIs(t, c.Power(context.Background(), "a", panel.SignalStart), panel.ErrRateLimited)
	assert.ErrorIs(t, c.Command(context.Background(), "a", "say hi"), context.DeadlineExceeded)
	assert.Equal(t, []heard{
		{"main", "servers", "ok"}, {"main", "resources", "unsupported"},
		{"main", "power", "rate_limited"}, {"main", "command", "timeout"},
	}, got)
	assert.Same(t, inner, panel.Unwrap(c))
}

func TestOutcomesAreTheFixedSet(t *testing.T) {
	assert.Equal(t, "ok", panel.Outcome(nil))
	assert.Equal(t, "error", panel.Outcome(fmt.Errorf("odd")))
	assert.Equal(t, "not_found", panel.Outcome(fmt.Errorf("x: %w", &panel.Error{Class: panel.ErrNotFound})))
	for _, err := range []error{nil, panel.ErrOffline, context.Canceled, fmt.Errorf("odd")} {
		assert.Contains(t, panel.Outcomes(), panel.Outcome(err))
	}
}
