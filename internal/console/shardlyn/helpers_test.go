package shardlyn

import (
	"fmt"
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
