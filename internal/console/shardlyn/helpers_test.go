package shardlyn

import (
	"fmt"
	"github.com/panelbot/panelbot/internal/panel"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func itoa(i int) string { return strconv.Itoa(i) }

func atoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	require.NoError(t, err, s)
	return v
}

func fmtSscanf(text string, k *int) (int, error) {
	return fmt.Sscanf(text, "Skipped %d console lines", k)
}

// event is what a chanSink received: kind "line", "notice", "status" or
// "stats", and the text.
type event struct {
	Kind string
	Text string
}

// chanSink is a console.Sink that queues what it is handed, for tests.
type chanSink chan event

func (c chanSink) Line(text string)        { c <- event{Kind: "line", Text: text} }
func (c chanSink) Notice(text string)      { c <- event{Kind: "notice", Text: text} }
func (c chanSink) Status(st panel.State)   { c <- event{Kind: "status", Text: string(st)} }
func (c chanSink) Stats(r panel.Resources) { c <- event{Kind: "stats"} }
