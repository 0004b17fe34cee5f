package panel

import "context"

// call is one in-flight fetch shared by every caller that asks for the same
// thing meanwhile: the leader fills val and err, then closes done.
type call[T any] struct {
	done chan struct{}
	val  T
	err  error
}

func newCall[T any]() *call[T] { return &call[T]{done: make(chan struct{})} }

// wait returns the leader's result, or the caller's own context error if it
// gives up first; the fetch goes on for the others.
func (c *call[T]) wait(ctx context.Context) (T, error) {
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
