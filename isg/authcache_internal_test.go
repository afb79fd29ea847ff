package isg

import (
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/directory"
)

func cachedUserAt(id UserID, version int64) user {
	return user{User: directory.User{ID: id, State: AccountActive}, version: version}
}

// TestAuthCacheKeepsTheNewestVersion: ROLE-7 — memberships decoded from an older read of a user
// never replace those from a newer one, whatever order concurrent puts land in, so a revoked role
// cannot come back from a slow reader's stale copy (get would refuse it anyway, but the newest
// entry is the one every later check can use).
func TestAuthCacheKeepsTheNewestVersion(t *testing.T) {
	c := newAuthCache()
	id := UserID{UUID: uuid.New()}
	c.put(cachedUserAt(id, 5))
	c.put(cachedUserAt(id, 3))
	require.NotNil(t, c.get(id, 5))
	assert.Nil(t, c.get(id, 3), "an older version replaced a newer one")

	var wg sync.WaitGroup
	for v := int64(6); v < 70; v++ {
		wg.Go(func() { c.put(cachedUserAt(id, v)) })
	}
	wg.Wait()
	assert.NotNil(t, c.get(id, 69), "the newest of concurrent puts is not the one kept")
}

// TestAuthCacheIsBounded: ROLE-7 — past its cap the cache drops its entries instead of growing
// without end, and an entry dropped is only decoded again.
func TestAuthCacheIsBounded(t *testing.T) {
	c := newAuthCache()
	first := UserID{UUID: uuid.New()}
	c.put(cachedUserAt(first, 1))
	for range authCacheCap {
		c.put(cachedUserAt(UserID{UUID: uuid.New()}, 1))
	}
	assert.LessOrEqual(t, c.size.Load(), int64(authCacheCap))
	assert.Nil(t, c.get(first, 1), "the cache grew past its cap")
}
