package shardlyn

// dedupe keeps a line from being sent twice when a new connection replays
// history the channel has already seen. The frames carry no sequence
// numbers, so it matches text: after a reconnect, incoming lines are held
// while they repeat the end of what was already delivered (the tail). When
// the held lines reach the tail's last line they were a replay and are
// dropped; as soon as they stop matching, they were new and are released.
// A quiet spell (flush) or a lost connection (abandon) ends the holding.
//
// The price of matching text: a genuinely new line identical to the last
// lines delivered before a reconnect, arriving first after it, is taken for
// a replay. Memory is bounded by the tail size.
type dedupe struct {
	tail     []string // ring of the last delivered lines
	start, n int

	catching bool
	held     []string
	cands    []int // tail offsets (0 = oldest) where held matches so far
	best     int   // longest held prefix that matched up to the tail's end
}

func newDedupe(size int) *dedupe { return &dedupe{tail: make([]string, size)} }

// at returns the i-th oldest remembered line.
func (d *dedupe) at(i int) string { return d.tail[(d.start+i)%len(d.tail)] }

func (d *dedupe) remember(line string) {
	if d.n < len(d.tail) {
		d.tail[(d.start+d.n)%len(d.tail)] = line
		d.n++
		return
	}
	d.tail[d.start] = line
	d.start = (d.start + 1) % len(d.tail)
}

// reconnected starts matching the new connection's first lines.
func (d *dedupe) reconnected() {
	d.catching, d.held, d.cands, d.best = d.n > 0, nil, nil, 0
}

// holding reports whether lines are held back waiting for a verdict.
func (d *dedupe) holding() bool { return d.catching && len(d.held) > 0 }

// push takes one incoming line and returns the lines to deliver now.
func (d *dedupe) push(line string) []string {
	if !d.catching {
		d.remember(line)
		return []string{line}
	}
	i := len(d.held)
	d.held = append(d.held, line)
	if i == 0 {
		for p := range d.n {
			if d.at(p) == line {
				d.cands = append(d.cands, p)
			}
		}
	}
	alive := d.cands[:0]
	for _, p := range d.cands {
		switch {
		case d.at(p+i) != line:
		case p+i+1 == d.n:
			d.best = i + 1 // held[:i+1] replays the tail's end
		default:
			alive = append(alive, p)
		}
	}
	d.cands = alive
	if len(d.cands) == 0 {
		return d.finish()
	}
	return nil
}

// finish releases what followed the longest replay found.
func (d *dedupe) finish() []string {
	out := d.held[d.best:]
	d.catching, d.held, d.cands, d.best = false, nil, nil, 0
	for _, l := range out {
		d.remember(l)
	}
	return out
}

// flush ends the holding after a quiet spell: a replay arrives in one burst
// and ends with the tail's last line, so lines still held are new.
func (d *dedupe) flush() []string {
	if !d.catching {
		return nil
	}
	return d.finish()
}

// abandon ends the holding when the connection drops mid-match: every held
// line matched what was already delivered, so it is dropped rather than
// risked twice (the next connection's replay brings it back if it was new).
func (d *dedupe) abandon() {
	d.catching, d.held, d.cands, d.best = false, nil, nil, 0
}
