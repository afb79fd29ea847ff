package uuidtext

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// sharingSlot returns an ID other than id in id's slot: its eighth byte's top bit flipped, which
// slotOf's twelve low bits never see.
func sharingSlot(id uuid.UUID) uuid.UUID {
	id[7] ^= 0x80
	return id
}

// TestTextIsTheIDsText holds Text to uuid.String over random IDs in random order, IDs that
// share a slot among them, so that answering from a slot without comparing its ID, or keeping a
// slot's first ID only, would be caught; and a nil Cache writes without remembering.
func TestTextIsTheIDsText(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pool := make([]uuid.UUID, rapid.IntRange(1, 8).Draw(t, "ids"))
		for i := range pool {
			pool[i] = uuid.New()
			if i > 0 && rapid.Bool().Draw(t, fmt.Sprint("share ", i)) {
				pool[i] = sharingSlot(pool[i-1])
			}
		}
		var c *Cache
		if rapid.Bool().Draw(t, "cache") {
			c = new(Cache)
		}
		for _, i := range rapid.SliceOf(rapid.IntRange(0, len(pool)-1)).Draw(t, "order") {
			if got := c.Text(pool[i]); got != pool[i].String() {
				t.Fatalf("Text(%s) = %s", pool[i], got)
			}
		}
	})
}

func TestSharingSlotSharesTheSlot(t *testing.T) {
	id := uuid.New()
	require.NotEqual(t, id, sharingSlot(id))
	assert.Equal(t, slotOf(id), slotOf(sharingSlot(id)))
}

// TestATextRememberedAllocatesNothing: the point of the cache.
func TestATextRememberedAllocatesNothing(t *testing.T) {
	var c Cache
	id := uuid.New()
	c.Text(id)
	assert.Zero(t, testing.AllocsPerRun(100, func() { c.Text(id) }))
}

// TestTextIsSafeForConcurrentUse: goroutines writing IDs that share slots, under -race, each
// always get their own ID's text.
func TestTextIsSafeForConcurrentUse(t *testing.T) {
	var c Cache
	a := uuid.New()
	ids := []uuid.UUID{a, sharingSlot(a), uuid.New()}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				id := ids[(g+i)%len(ids)]
				if got := c.Text(id); got != id.String() {
					t.Errorf("Text(%s) = %s", id, got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkText(b *testing.B) {
	var c Cache
	id := uuid.New()
	b.ReportAllocs()
	for b.Loop() {
		c.Text(id)
	}
}
