package console

import "time"

// retryPause is the pause after the n-th failure in a row (1-based).
func retryPause(n int) time.Duration { return DefaultBackoff().Delay(n - 1) }
