// Package fewmap is a map for the few entries a unit of work mostly holds: the records it read
// or wrote, which a small array inside the map keeps without an allocation and scans faster
// than a Go map hashes them; past a few entries it moves them to a Go map.
package fewmap

import "iter"

// Map maps keys to values. A unit of work names a few records (an edit of a flow reads seven
// and writes two), which up to Few entries in an array inside the Map hold without an allocation;
// a unit naming more (a merge, an import) moves them to a Go map. The zero Map is empty and ready
// to use. A Map must not be copied once used: its few entries may live in its own array.
type Map[K comparable, V any] struct {
	few  []entry[K, V] // in the order first set, while there are at most Few
	many map[K]V       // instead of few, once there are more
	room [Few]entry[K, V]
}

// Few is how many entries a Map holds before it moves them to a Go map: past about eight, a
// scan comparing a record's kind and ID with each costs more than hashing them.
const Few = 8

// entry holds v first: a zero-size V (a set's struct{}) last would be padded to a word.
type entry[K comparable, V any] struct {
	v V
	k K
}

// index returns where k is in few, or -1.
func (m *Map[K, V]) index(k K) int {
	for i := range m.few {
		if m.few[i].k == k {
			return i
		}
	}
	return -1
}

// Get returns the value the Map holds for k, and whether it holds one.
func (m *Map[K, V]) Get(k K) (V, bool) {
	if m.many != nil {
		v, ok := m.many[k]
		return v, ok
	}
	if i := m.index(k); i >= 0 {
		return m.few[i].v, true
	}
	var zero V
	return zero, false
}

// Set makes v what the Map holds for k.
func (m *Map[K, V]) Set(k K, v V) {
	switch {
	case m.many != nil:
		m.many[k] = v
		return
	case m.few == nil:
		m.few = m.room[:0]
	}
	if i := m.index(k); i >= 0 {
		m.few[i].v = v
		return
	}
	if len(m.few) < Few {
		m.few = append(m.few, entry[K, V]{v, k})
		return
	}
	m.many = make(map[K]V, 4*Few)
	for _, e := range m.few {
		m.many[e.k] = e.v
	}
	m.many[k] = v
	m.few, m.room = nil, [Few]entry[K, V]{} // nothing of the moved entries is kept alive twice
}

// Len returns how many keys the Map holds.
func (m *Map[K, V]) Len() int { return len(m.few) + len(m.many) }

// All yields every key the Map holds with its value, in no order a caller may rely on.
func (m *Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.many != nil {
			for k, v := range m.many {
				if !yield(k, v) {
					return
				}
			}
			return
		}
		for _, e := range m.few {
			if !yield(e.k, e.v) {
				return
			}
		}
	}
}

// Keys yields every key the Map holds, in no order a caller may rely on.
func (m *Map[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		for k := range m.All() {
			if !yield(k) {
				return
			}
		}
	}
}
