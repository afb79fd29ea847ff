package storagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// testVersionReader checks the optional isg.VersionReader where the store offers it: the
// committed version, 0 for a record that does not exist, and nothing of a unit not yet committed.
// The Gateway trusts these answers to reuse decoded memberships, so a wrong one would let a
// revoked role act.
func testVersionReader(t *testing.T, s isg.Store) {
	vr, ok := s.(isg.VersionReader)
	if !ok {
		t.Log("the store does not offer the optional isg.VersionReader; nothing to check")
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
