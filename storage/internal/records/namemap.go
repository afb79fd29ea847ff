package records

import "iter"

// Map maps the names of the records a unit of work touched to what the unit keeps of each: the
// version it read, the record it staged. A unit names a few records (an edit of a flow reads
// seven and writes two), which an array inside the Map holds without an allocation and scans
// faster than a Go map hashes two strings; a unit naming more (a merge, an import) moves them to
// a map. The zero Map is empty and ready to use. A Map must not be copied once used: its few
// entries may live in its own array.
type Map[V any] struct {
	few  []entry[V] // in the order first set, while there are at most fewNames
	many map[Key]V  // instead of few, once there are more
	room [fewNames]entry[V]
}

// fewNames is how many names a Map holds before it moves them to a map: past about eight, a
// scan of two strings a name costs more than hashing them.
const fewNames = 8

type entry[V any] struct {
	k Key
	v V
}

// index returns where k is in few, or -1.
func (m *Map[V]) index(k Key) int {
	for i := range m.few {
		// The ID first: a unit's names mostly share a few kinds, not IDs.
		if m.few[i].k.ID == k.ID && m.few[i].k.Kind == k.Kind {
			return i
		}
	}
	return -1
}

// Get returns what the Map holds for k, and whether it holds anything.
func (m *Map[V]) Get(k Key) (V, bool) {
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
func (m *Map[V]) Set(k Key, v V) {
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
	if len(m.few) < fewNames {
		m.few = append(m.few, entry[V]{k, v})
		return
	}
	m.many = make(map[Key]V, 4*fewNames)
	for _, e := range m.few {
		m.many[e.k] = e.v
	}
	m.many[k] = v
	m.few, m.room = nil, [fewNames]entry[V]{} // nothing of the moved entries is kept alive twice
}

// Len returns how many names the Map holds.
func (m *Map[V]) Len() int { return len(m.few) + len(m.many) }

// All yields every name the Map holds with its value, in no order a caller may rely on.
func (m *Map[V]) All() iter.Seq2[Key, V] {
	return func(yield func(Key, V) bool) {
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

// Keys yields every name the Map holds, in no order a caller may rely on.
func (m *Map[V]) Keys() iter.Seq[Key] {
	return func(yield func(Key) bool) {
		for k := range m.All() {
			if !yield(k) {
				return
			}
		}
	}
}
