package records_test

import (
	"maps"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
)

// TestMapIsAMap holds records.Map to a Go map through random Sets and Gets, over few enough
// names that runs cross the move from the array to a map, and names alike in kind or ID so that
// a lookup comparing only one of them would be caught.
func TestMapIsAMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var m records.Map[int]
		model := map[records.Key]int{}
		key := func(t *rapid.T, label string) records.Key {
			return records.Key{Kind: rapid.SampledFrom([]isg.Kind{"flow", "user"}).Draw(t, label+" kind"),
				ID: strconv.Itoa(rapid.IntRange(0, 11).Draw(t, label+" id"))}
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
		keys := map[records.Key]int{}
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
		var m records.Map[int]
		for i := range n {
			m.Set(records.Key{Kind: "k", ID: strconv.Itoa(i)}, i)
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
	keys := make([]records.Key, 8)
	for i := range keys {
		keys[i] = records.Key{Kind: "flow", ID: strconv.Itoa(i)}
	}
	var m records.Map[int64]
	allocs := testing.AllocsPerRun(100, func() {
		m = records.Map[int64]{}
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
