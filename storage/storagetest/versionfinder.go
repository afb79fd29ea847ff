package storagetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// testVersionFinder checks the optional isg.VersionFinder where the store's Tx offers it: page
// for page it answers the IDs and versions Find answers, committed and staged alike, in a View
// and in an Update that has written. The Gateway serves a decoded value by the version this
// answers, so a wrong version would show a report a flow as it no longer is. Its listings are
// checked with Find's in ListingConflicts.
func testVersionFinder(t *testing.T, s isg.Store) {
	if !offers[isg.VersionFinder](t, s) {
		t.Log("the store's Tx does not offer the optional isg.VersionFinder; nothing to check")
		return
	}
	ctx := context.Background()
	in, out := key("member", "in"), key("member", "out")
	var seed []isg.Record
	for i := range 9 {
		k := in
		if i%3 == 2 {
			k = out
		}
		seed = append(seed, rec("vf", fmt.Sprintf("r%d", i), 0, `{}`, k))
	}
	putAll(t, s, seed...)
	putAll(t, s, rec("vf", "r0", 1, `{"v":2}`, in)) // r0 at version 2

	// same pages through key with both methods and requires the same answer at each page size.
	same := func(tx isg.Tx, key isg.IndexKey) {
		for _, limit := range []int{0, 1, 2, 4, 100} {
			var byFind, byVersions []isg.RecordVersion
			for after := ""; ; {
				recs, err := tx.Find(ctx, "vf", key, isg.Page{After: after, Limit: limit})
				require.NoError(t, err)
				vs, err := tx.(isg.VersionFinder).FindVersions(ctx, "vf", key, isg.Page{After: after, Limit: limit})
				require.NoError(t, err)
				require.Len(t, vs, len(recs), "page after %q, limit %d", after, limit)
				for i, r := range recs {
					byFind = append(byFind, isg.RecordVersion{ID: r.ID, Version: r.Version})
					byVersions = append(byVersions, vs[i])
				}
				if limit == 0 || len(recs) < limit {
					break
				}
				after = recs[len(recs)-1].ID
			}
			require.Equal(t, byFind, byVersions, "limit %d", limit)
		}
	}
	require.NoError(t, s.View(ctx, func(tx isg.Tx) error {
		same(tx, in)
		same(tx, out)
		vs, err := tx.(isg.VersionFinder).FindVersions(ctx, "vf", in, isg.Page{Limit: 2})
		require.NoError(t, err)
		assert.Equal(t, []isg.RecordVersion{{ID: "r0", Version: 2}, {ID: "r1", Version: 1}}, vs)
		_, err = tx.(isg.VersionFinder).FindVersions(ctx, "vf", in, isg.Page{Limit: -1})
		assert.ErrorIs(t, err, isg.ErrInvalid, "a negative limit, as for Find")
		return nil
	}))
	// A unit's own writes: a record created in the key, one moved out, one rewritten.
	err := s.Update(ctx, func(tx isg.Tx) error {
		for _, r := range []isg.Record{rec("vf", "r10", 0, `{}`, in), rec("vf", "r1", 1, `{}`, out), rec("vf", "r3", 1, `{"v":2}`, in)} {
			if _, err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		same(tx, in)
		same(tx, out)
		vs, err := tx.(isg.VersionFinder).FindVersions(ctx, "vf", in, isg.Page{})
		require.NoError(t, err)
		assert.Equal(t, []isg.RecordVersion{{ID: "r0", Version: 2}, {ID: "r10", Version: 1}, {ID: "r3", Version: 2}, {ID: "r4", Version: 1},
			{ID: "r6", Version: 1}, {ID: "r7", Version: 1}}, vs)
		return nil
	})
	require.NoError(t, err)
}
