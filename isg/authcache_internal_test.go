package isg

import (
	"context"
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

// racingStore is a VersionReader and ChangeCounter on which a commit lands in the middle of a
// check: the user's version is read as it was, then the commit moves the count and the version
// before the check ends.
type racingStore struct {
	count, userVersion int64
	commitDuringRead   bool
}

func (s *racingStore) Changes() uint64 { return uint64(s.count) }

func (s *racingStore) Version(_ context.Context, kind Kind, _ string) (int64, error) {
	if kind != kindUser {
		return 1, nil // the organisation exists
	}
	v := s.userVersion
	if s.commitDuringRead {
		s.commitDuringRead = false
		s.count++
		s.userVersion++ // a role revoked
	}
	return v, nil
}

// TestCanIsNotFooledByACommitDuringItsCheck: ROLE-7 — Can reads the change count before the
// versions it confirms, so a commit landing between the two leaves the entry confirmed at a
// count already passed, and the next check asks the store again and sees the change. Read in
// the other order, the stale entry would be confirmed at the new count and trusted until the
// next commit.
func TestCanIsNotFooledByACommitDuringItsCheck(t *testing.T) {
	c := newAuthCache()
	p := DefaultPermissions()
	org := OrgID{UUID: uuid.New()}
	x := cachedUserAt(UserID{UUID: uuid.New()}, 5)
	x.Memberships = []directory.Membership{{Org: org, Roles: Of(IGOfficer)}}
	c.put(x)
	actor := Actor{User: x.ID, Org: org}
	s := &racingStore{count: 7, userVersion: 5, commitDuringRead: true}

	allowed, answered := c.allows(context.Background(), s, s, &p, actor, EditAgreements)
	require.True(t, answered && allowed, "the entry was current when its version was read")
	_, answered = c.allows(context.Background(), s, s, &p, actor, EditAgreements)
	assert.False(t, answered, "a check after the commit trusted the entry it made stale")

	// With no commit since a check, the next is answered without reading versions.
	s.userVersion = 5
	s.count++
	_, answered = c.allows(context.Background(), s, s, &p, actor, EditAgreements)
	require.True(t, answered)
	s.userVersion = 99 // would refuse, were it read
	allowed, answered = c.allows(context.Background(), s, s, &p, actor, EditAgreements)
	assert.True(t, answered && allowed, "an unchanged count did not spare the version reads")
}
