// Package paneltest provides a panel.Client whose behaviour each test sets
// through function fields, for the packages that consume the domain.
package paneltest

import (
	"context"

	"github.com/panelbot/panelbot/internal/panel"
)

// Client is a panel.Client whose methods call the matching function field.
// A nil field answers panel.ErrUnsupported, so a test states only what it uses.
type Client struct {
	KindName    string
	FeatureSet  panel.Features
	ServersFn   func(ctx context.Context) ([]panel.Server, error)
	ResourcesFn func(ctx context.Context, id string) (panel.Resources, error)
	PowerFn     func(ctx context.Context, id string, s panel.Signal) error
	CommandFn   func(ctx context.Context, id, command string) error
}

var _ panel.Client = (*Client)(nil)

// Kind returns KindName, or "fake".
func (c *Client) Kind() string {
	if c.KindName == "" {
		return "fake"
	}
	return c.KindName
}

// Features returns FeatureSet.
func (c *Client) Features() panel.Features { return c.FeatureSet }

// Servers calls ServersFn.
func (c *Client) Servers(ctx context.Context) ([]panel.Server, error) {
	if c.ServersFn == nil {
		return nil, unsupported("list servers")
	}
	return c.ServersFn(ctx)
}

// Resources calls ResourcesFn.
func (c *Client) Resources(ctx context.Context, id string) (panel.Resources, error) {
	if c.ResourcesFn == nil {
		return panel.Resources{}, unsupported("resources")
	}
	return c.ResourcesFn(ctx, id)
}

// Power calls PowerFn.
func (c *Client) Power(ctx context.Context, id string, s panel.Signal) error {
	if c.PowerFn == nil {
		return unsupported("power")
	}
	return c.PowerFn(ctx, id, s)
}

// Command calls CommandFn.
func (c *Client) Command(ctx context.Context, id, command string) error {
	if c.CommandFn == nil {
		return unsupported("command")
	}
	return c.CommandFn(ctx, id, command)
}

func unsupported(op string) error {
	return &panel.Error{Class: panel.ErrUnsupported, Op: op}
}
