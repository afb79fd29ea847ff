package storagetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// offered returns s as the optional capability C, logging that there is nothing to check when
// the store does not offer it.
func offered[C any](t *testing.T, s isg.Store) (C, bool) {
	c, ok := s.(C)
	if !ok {
		t.Logf("the store does not offer the optional %v; nothing to check", reflect.TypeFor[C]())
	}
	return c, ok
}

// testVersionReader checks the optional isg.VersionReader where the store offers it: the
// committed version, 0 for a record that does not exist, and nothing of a unit not yet committed.
// The Gateway trusts these answers to reuse decoded memberships, so a wrong one would let a
// revoked role act.
func testVersionReader(t *testing.T, s isg.Store) {
	vr, ok := offered[isg.VersionReader](t, s)
	if !ok {
		return
	}
	ctx := context.Background()
	version := func() int64 {
		v, err := vr.Version(ctx, "org", "r1")
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, int64(0), version(), "absent")
	putAll(t, s, rec("org", "r1", 0, `{"v":1}`))
	assert.Equal(t, int64(1), version())
	err := s.Update(ctx, func(tx isg.Tx) error {
		if _, err := tx.Put(ctx, rec("org", "r1", 1, `{"v":2}`)); err != nil {
			return err
		}
		assert.Equal(t, int64(1), version(), "a unit's writes are not committed until it ends")
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, int64(2), version())
	v, err := vr.Version(ctx, "user", "r1")
	require.NoError(t, err)
	assert.Equal(t, int64(0), v, "versions are per kind")
}

// testChangeCounter checks the optional isg.ChangeCounter where the store offers it: the count
// moves with every commit that writes — before the unit's Update returns — and with nothing
// else. The Gateway's Can answers from memberships it confirmed while the count stands still,
// so a commit that did not move it would let a revoked role act until the next one.
func testChangeCounter(t *testing.T, s isg.Store) {
	cc, ok := offered[isg.ChangeCounter](t, s)
	if !ok {
		return
	}
	ctx := context.Background()
	before := cc.Changes()
	putAll(t, s, rec("org", "c1", 0, `{"v":1}`))
	afterPut := cc.Changes()
	assert.NotEqual(t, before, afterPut, "a commit that wrote did not move the count")

	err := s.Update(ctx, func(tx isg.Tx) error {
		if _, err := tx.Put(ctx, rec("org", "c1", 1, `{"v":2}`)); err != nil {
			return err
		}
		assert.Equal(t, afterPut, cc.Changes(), "a write not yet committed moved the count")
		return nil
	})
	require.NoError(t, err)
	afterUpdate := cc.Changes()
	assert.NotEqual(t, afterPut, afterUpdate, "a rewrite did not move the count")

	require.NoError(t, s.View(ctx, func(tx isg.Tx) error { _, err := tx.Get(ctx, "org", "c1"); return err }))
	require.NoError(t, s.Update(ctx, func(tx isg.Tx) error { _, err := tx.Get(ctx, "org", "c1"); return err }))
	refused := s.Update(ctx, func(tx isg.Tx) error {
		_, err := tx.Put(ctx, rec("org", "c1", 1, `{"v":3}`)) // a stale version: refused
		return err
	})
	require.Error(t, refused)
	assert.Equal(t, afterUpdate, cc.Changes(), "a read, or a unit that committed nothing, moved the count")
}
