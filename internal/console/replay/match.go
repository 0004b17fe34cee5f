package replay

// overlap finds the longest suffix of the tail (at most window lines) that
// the held lines repeat in order with at most Slack other lines among or
// before them, marks the held lines it matched in drop, and returns its
// length. With complete, the match must reach the tail's last line; without,
// a match that ran out of held lines counts too (a replay cut short).
func (a *Aligner) overlap(held []string, drop []bool, complete bool) int {
	t := a.tail
	for k := min(len(t), a.window); k > 0; k-- {
		pos, ok := match(t[len(t)-k:], held, complete)
		if !ok {
			continue
		}
		for _, p := range pos {
			drop[p] = true
		}
		return len(pos)
	}
	return 0
}

// match finds want in held as a subsequence, greedily, skipping at most
// Slack held lines before its end. It returns the positions matched; ok
// says whether all of want was matched (or, without complete, whether the
// held lines ran out before a mismatch did).
func match(want, held []string, complete bool) (pos []int, ok bool) {
	skipped := 0
	for i := 0; i < len(held) && len(pos) < len(want); i++ {
		if held[i] == want[len(pos)] {
			pos = append(pos, i)
			continue
		}
		if skipped++; skipped > Slack {
			return nil, false
		}
	}
	if len(pos) == len(want) || !complete && len(pos) > 0 {
		return pos, true
	}
	return nil, false
}

// echo drops the early copy of each line among the first 2×Slack held lines
// not already dropped that comes again later in the hold: the live line the
// replay repeats at its end. Each later line answers one early line only.
func (a *Aligner) echo(held []string, drop []bool) {
	used := make([]bool, len(held))
	early := 0
	for i := 0; i < len(held) && early < 2*Slack; i++ {
		if drop[i] {
			continue
		}
		early++
		for j := i + 1; j < len(held); j++ {
			if !drop[j] && !used[j] && held[j] == held[i] {
				drop[i], used[j] = true, true
				break
			}
		}
	}
}
