package console

// ring is a FIFO queue on a circular slice. It grows by doubling and
// shrinks when mostly empty, so a channel's memory goes back down after a
// flood instead of staying at its high-water mark.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

// minRing is the smallest capacity a ring shrinks back to.
const minRing = 16

func (r *ring[T]) len() int { return r.n }

// at returns the i-th element from the front (0 is the oldest).
func (r *ring[T]) at(i int) *T { return &r.buf[(r.head+i)%len(r.buf)] }

func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		r.resize(max(minRing, 2*len(r.buf)))
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
}

// pop removes the oldest element; the slot is zeroed so the queue does not
// keep the popped line's text alive.
func (r *ring[T]) pop() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	if len(r.buf) > minRing && r.n < len(r.buf)/4 {
		r.resize(len(r.buf) / 2)
	}
	return v
}

func (r *ring[T]) resize(capacity int) {
	buf := make([]T, capacity)
	for i := range r.n {
		buf[i] = *r.at(i)
	}
	r.buf, r.head = buf, 0
}
