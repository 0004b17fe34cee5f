package simkit

import (
	"cmp"
	"maps"
	"slices"
	"sync"
)

// A simulator keeps its servers in a map by id, under its own lock. These
// are the ways in and out of that map that do not depend on the panel.

// Index returns copies of list by the key each has, after fill has
// completed each (defaults for what a test left out). A later entry with
// the same key replaces an earlier one.
func Index[K comparable, V any](list []V, key func(*V) K, fill func(*V)) map[K]*V {
	m := make(map[K]*V, len(list))
	for _, v := range list {
		fill(&v)
		m[key(&v)] = &v
	}
	return m
}

// Sorted returns copies of the entries of m that keep accepts, in key
// order: a listing in id order.
func Sorted[K cmp.Ordered, V any](m map[K]*V, keep func(*V) bool) []V {
	var out []V
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if keep(m[k]) {
			out = append(out, *m[k])
		}
	}
	return out
}

// Locked runs f on the entry of m at id, if there is one, with mu held: a
// test reading or changing one server of a simulator.
func Locked[K comparable, V any](mu *sync.Mutex, m map[K]*V, id K, f func(*V)) {
	mu.Lock()
	defer mu.Unlock()
	if v := m[id]; v != nil {
		f(v)
	}
}
