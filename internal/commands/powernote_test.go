package commands

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

type notedPowers struct {
	mu  sync.Mutex
	got []string
}

func (n *notedPowers) PowerNoted(key string, s panel.Signal, _ time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, key+" "+string(s))
}

func TestPowerSignalsAreNotedBeforeTheyAreSent(t *testing.T) {
	n := &notedPowers{}
	e := setup(t, func(c *Config, _ *paneltest.Client) { c.Powers = n })
	e.handle(powerSlash(admin(), "survival", "restart"))
	e.handle(powerSlash(viewer(), "survival", "restart"))
	assert.Len(t, e.powerCalls(), 1)
	n.mu.Lock()
	defer n.mu.Unlock()
	assert.Equal(t, []string{"main/abc123 restart"}, n.got, "only what is sent is noted")
}
