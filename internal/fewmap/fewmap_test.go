package fewmap_test

import (
	"fmt"
	"maps"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/internal/fewmap"
)

// name is a record's name, as the stores and the Gateway key a Map by.
type name struct{ kind, id string }

// TestMapIsAMap holds Map to a Go map through random Sets and Gets, over few enough
// names that runs cross the move from the array to a map, and names alike in kind or ID so that
// a lookup comparing only one of them would be caught.
func TestMapIsAMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var m fewmap.Map[name, int]
		model := map[name]int{}
		key := func(t *rapid.T, label string) name {
			return name{kind: rapid.SampledFrom([]string{"flow", "user"}).Draw(t, label+" kind"),
				id: strconv.Itoa(rapid.IntRange(0, 11).Draw(t, label+" id"))}
		}
		for range rapid.IntRange(0, 40).Draw(t, "steps") {
			if rapid.Bool().Draw(t, "set") {
				k, v := key(t, "set"), rapid.Int().Draw(t, "value")
				m.Set(k, v)
				model[k] = v
			} else {
				k := key(t, "get")
				v, ok := m.Get(k)
				want, wantOK := model[k]
				require.Equal(t, wantOK, ok, "Get(%v) found", k)
				require.Equal(t, want, v, "Get(%v)", k)
			}
			require.Equal(t, len(model), m.Len())
		}
		require.Equal(t, model, maps.Collect(m.All()))
		keys := map[name]int{}
		for k := range m.Keys() {
			keys[k]++
		}
		require.Len(t, keys, len(model), "each name once")
		for k, n := range keys {
			require.Equal(t, 1, n, "%v yielded once", k)
		}
	})
}

// TestMapStopsWhenAsked: a range loop that breaks stops the iteration, before and after the
// move to a map.
func TestMapStopsWhenAsked(t *testing.T) {
	for _, n := range []int{3, 20} {
		var m fewmap.Map[name, int]
		for i := range n {
			m.Set(name{kind: "k", id: strconv.Itoa(i)}, i)
		}
		seen := 0
		for range m.All() {
			seen++
			break
		}
		assert.Equal(t, 1, seen, "%d names", n)
	}
}

// TestMapOfAFewNamesAllocatesNothing: what a command's unit names (seven reads, two writes)
// stays in the Map's own array.
func TestMapOfAFewNamesAllocatesNothing(t *testing.T) {
	keys := make([]name, fewmap.Few)
	for i := range keys {
		keys[i] = name{kind: "flow", id: strconv.Itoa(i)}
	}
	var m fewmap.Map[name, int64]
	allocs := testing.AllocsPerRun(100, func() {
		m = fewmap.Map[name, int64]{}
		for i, k := range keys {
			m.Set(k, int64(i))
		}
		for k, v := range m.All() {
			if got, _ := m.Get(k); got != v {
				t.Fatal(k)
			}
		}
	})
	assert.Zero(t, allocs)
}

// A unit of work's read set: the version first seen of each record it read.
func Example() {
	type record struct{ kind, id string }
	var reads fewmap.Map[record, int64]
	reads.Set(record{"flow", "f1"}, 3)
	reads.Set(record{"summary", "s1"}, 1)
	v, ok := reads.Get(record{"flow", "f1"})
	fmt.Println(v, ok, reads.Len())
	// Output: 3 true 2
}
