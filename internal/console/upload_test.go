package console

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUploadsTakeTurnsWithinTheBudget: attachments past the hub's upload
// budget wait for room instead of all being held in memory at once.
func TestUploadsTakeTurnsWithinTheBudget(t *testing.T) {
	h, err := NewHub(&recorder{}, WithUploadBudget(1<<20))
	require.NoError(t, err)
	big := func() *outMsg {
		return &outMsg{file: &attachment{lines: []string{strings.Repeat("x", 700<<10)}}}
	}
	release, err := h.reserveUpload(t.Context(), big())
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = h.reserveUpload(ctx, big())
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a second upload waits while the first holds the budget")

	got := make(chan error, 1)
	go func() {
		r, err := h.reserveUpload(t.Context(), big())
		if err == nil {
			r()
		}
		got <- err
	}()
	release()
	require.NoError(t, <-got, "and goes once the first is done")

	r, err := h.reserveUpload(t.Context(), &outMsg{})
	require.NoError(t, err, "a message without a file needs no budget")
	r()
	huge := &outMsg{file: &attachment{lines: []string{strings.Repeat("x", 3<<20)}}}
	r, err = h.reserveUpload(t.Context(), huge)
	require.NoError(t, err, "a file above the budget takes all of it")
	r()
}
