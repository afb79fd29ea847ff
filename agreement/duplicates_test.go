package agreement

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The pairwise scan duplicates uses for short lists answers as the set does: lists drawn from a
// few values, on both sides of fewItems, so that repeats (and repeats of repeats) are common.
func TestDuplicatesScanIsTheSet(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		items := rapid.SliceOfN(rapid.IntRange(0, 5), 0, 2*fewItems).Draw(t, "items")
		require.Equal(t, duplicatesBySet(items), duplicates(items))
	})
	require.Equal(t, []int{2, 3}, duplicates([]string{"a", "b", "a", "b"}), "the later of each pair")
}
