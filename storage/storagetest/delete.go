package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// testDelete checks the optional isg.Deleter where the store's Tx offers it: a staged delete
// hides the record from the unit, the commit removes the record and its index keys (a unique key
// is free again), the version is checked at the call and at commit, a missing record is
// ErrNotFound, mixing Put and Delete of one record in a unit is ErrInvalid, a View refuses, and a
// unit that fails deletes nothing.
func testDelete(t *testing.T, s isg.Store) {
	if !offersDeleter(t, s) {
		t.Log("the store's Tx does not offer the optional isg.Deleter; nothing to check")
		return
	}
	ctx := context.Background()
	member, ref := key("member", "o1"), uniqueKey("ref", "R-1")
	del := func(kind isg.Kind, id string, version int64) error {
		return s.Update(ctx, func(tx isg.Tx) error { return deleteIn(ctx, tx, kind, id, version) })
	}

	t.Run("round trip", func(t *testing.T) {
		putAll(t, s, rec("msg", "m1", 0, `{}`, member, ref), rec("msg", "m2", 0, `{}`, member))
		putAll(t, s, rec("msg", "m1", 1, `{"v":2}`, member, ref))
		require.NoError(t, del("msg", "m1", 2))
		requireAbsent(t, s, "msg", "m1")
		assert.Equal(t, []string{"m2"}, idsOf(find(t, s, "msg", member, isg.Page{})), "the deleted record left its keys")
		assert.Equal(t, 1, count(t, s, "msg", member))
		assert.Zero(t, count(t, s, "msg", ref))
		assert.Empty(t, find(t, s, "msg", ref, isg.Page{}))
		if vr, ok := s.(isg.VersionReader); ok {
			v, err := vr.Version(ctx, "msg", "m1")
			require.NoError(t, err)
			assert.Zero(t, v, "VersionReader after Delete")
		}
		putAll(t, s, rec("msg", "m3", 0, `{}`, ref))
		assert.Equal(t, []string{"m3"}, idsOf(find(t, s, "msg", ref, isg.Page{})), "the unique key is free again")
	})

	t.Run("several in one unit, beside a Put", func(t *testing.T) {
		putAll(t, s, rec("batch", "b1", 0, `{}`, member), rec("batch", "b2", 0, `{}`, member), rec("batch", "b3", 0, `{}`, member))
		require.NoError(t, s.Update(ctx, func(tx isg.Tx) error {
			for _, id := range []string{"b1", "b3"} {
				if err := deleteIn(ctx, tx, "batch", id, 1); err != nil {
					return err
				}
			}
			_, err := tx.Put(ctx, rec("batch", "b4", 0, `{}`, member))
			return err
		}))
		assert.Equal(t, []string{"b2", "b4"}, idsOf(find(t, s, "batch", member, isg.Page{})))
	})

	t.Run("within the unit", func(t *testing.T) {
		putAll(t, s, rec("own", "x1", 0, `{}`, member), rec("own", "x2", 0, `{}`, member), rec("own", "x3", 0, `{}`, member))
		err := s.Update(ctx, func(tx isg.Tx) error {
			x2, err := tx.Get(ctx, "own", "x2")
			if err != nil {
				return err
			}
			if err := deleteIn(ctx, tx, "own", "x2", x2.Version); err != nil {
				return err
			}
			if _, err := tx.Get(ctx, "own", "x2"); !errors.Is(err, isg.ErrNotFound) {
				return fmt.Errorf("Get of a record deleted in the unit: %v, want ErrNotFound", err)
			}
			found, err := tx.Find(ctx, "own", member, isg.Page{})
			if err != nil {
				return err
			}
			if got := idsOf(found); fmt.Sprint(got) != "[x1 x3]" {
				return fmt.Errorf("Find after a staged delete = %v, want [x1 x3]", got)
			}
			found, err = tx.Find(ctx, "own", member, isg.Page{Limit: 2})
			if err != nil {
				return err
			}
			if got := idsOf(found); fmt.Sprint(got) != "[x1 x3]" {
				return fmt.Errorf("a page after a staged delete = %v, want [x1 x3]", got)
			}
			if err := wantCountOf(ctx, tx, "own", member, 2); err != nil {
				return err
			}
			// Other units see the record until the unit commits.
			return beside(func() error {
				if _, err := get(t, s, "own", "x2"); err != nil {
					return fmt.Errorf("another unit lost a record whose delete is not committed: %w", err)
				}
				return nil
			})
		})
		require.NoError(t, err)
		requireAbsent(t, s, "own", "x2")
	})

	t.Run("version checked", func(t *testing.T) {
		putAll(t, s, rec("ver", "v1", 0, `{}`, member))
		putAll(t, s, rec("ver", "v1", 1, `{}`, member))
		for _, v := range []int64{0, 1, 3} {
			require.ErrorIs(t, del("ver", "v1", v), isg.ErrConflict, "delete at version %d of a record at 2", v)
		}
		assert.Equal(t, int64(2), mustGet(t, s, "ver", "v1").Version)
		assert.Equal(t, 1, count(t, s, "ver", member))
	})

	t.Run("version changed before commit", func(t *testing.T) {
		putAll(t, s, rec("late", "l1", 0, `{}`, member))
		var errB error
		errA := s.Update(ctx, func(tx isg.Tx) error {
			if err := deleteIn(ctx, tx, "late", "l1", 1); err != nil {
				return err
			}
			return beside(func() error { errB = tryPut(s, rec("late", "l1", 1, `{"by":"B"}`, member)); return errB })
		})
		require.NoError(t, errB)
		require.ErrorIs(t, errA, isg.ErrConflict, "the record changed between Delete and commit")
		assertBody(t, `{"by":"B"}`, mustGet(t, s, "late", "l1").Body)
	})

	t.Run("not found", func(t *testing.T) {
		putAll(t, s, rec("nf", "n1", 0, `{}`))
		tests := []struct {
			name string
			kind isg.Kind
			id   string
		}{
			{"unknown id", "nf", "n2"},
			{"id of another kind", "other", "n1"},
			{"unknown kind", "nosuchkind", "n1"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				require.ErrorIs(t, del(tt.kind, tt.id, 1), isg.ErrNotFound)
				require.ErrorIs(t, del(tt.kind, tt.id, 0), isg.ErrNotFound)
			})
		}
		t.Run("read as absent in the unit", func(t *testing.T) {
			err := s.Update(ctx, func(tx isg.Tx) error {
				if _, err := tx.Get(ctx, "nf", "n3"); !errors.Is(err, isg.ErrNotFound) {
					return err
				}
				return deleteIn(ctx, tx, "nf", "n3", 1)
			})
			require.ErrorIs(t, err, isg.ErrNotFound)
		})
		assert.Equal(t, int64(1), mustGet(t, s, "nf", "n1").Version)
	})

	t.Run("put and delete of one record in a unit", func(t *testing.T) {
		putAll(t, s, rec("mix", "p1", 0, `{}`, member))
		tests := []struct {
			name  string
			steps func(tx isg.Tx) error
		}{
			{"put then delete", func(tx isg.Tx) error {
				if _, err := tx.Put(ctx, rec("mix", "p1", 1, `{"v":2}`, member)); err != nil {
					return fmt.Errorf("put: %v", err) // not wrapped: only the Delete's error may match
				}
				return deleteIn(ctx, tx, "mix", "p1", 2)
			}},
			{"create then delete", func(tx isg.Tx) error {
				if _, err := tx.Put(ctx, rec("mix", "p2", 0, `{}`, member)); err != nil {
					return fmt.Errorf("put: %v", err)
				}
				return deleteIn(ctx, tx, "mix", "p2", 1)
			}},
			{"delete then put", func(tx isg.Tx) error {
				if err := deleteIn(ctx, tx, "mix", "p1", 1); err != nil {
					return fmt.Errorf("delete: %v", err)
				}
				_, err := tx.Put(ctx, rec("mix", "p1", 1, `{"v":2}`, member))
				return err
			}},
			{"delete then create", func(tx isg.Tx) error {
				if err := deleteIn(ctx, tx, "mix", "p1", 1); err != nil {
					return fmt.Errorf("delete: %v", err)
				}
				_, err := tx.Put(ctx, rec("mix", "p1", 0, `{}`, member))
				return err
			}},
			{"delete twice", func(tx isg.Tx) error {
				if err := deleteIn(ctx, tx, "mix", "p1", 1); err != nil {
					return fmt.Errorf("delete: %v", err)
				}
				return deleteIn(ctx, tx, "mix", "p1", 1)
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				require.ErrorIs(t, s.Update(ctx, tt.steps), isg.ErrInvalid)
				got := mustGet(t, s, "mix", "p1")
				assert.Equal(t, int64(1), got.Version)
				assertBody(t, `{}`, got.Body)
				requireAbsent(t, s, "mix", "p2")
			})
		}
	})

	t.Run("view refuses", func(t *testing.T) {
		putAll(t, s, rec("view", "w1", 0, `{}`, member))
		var delErr error
		require.NoError(t, s.View(ctx, func(tx isg.Tx) error {
			d, ok := tx.(isg.Deleter)
			if !ok {
				return nil // a View's Tx need not offer Delete at all
			}
			delErr = d.Delete(ctx, "view", "w1", 1)
			if delErr == nil {
				return errors.New("Delete inside View succeeded")
			}
			return nil // even if fn ignores the refusal, nothing is deleted
		}))
		if delErr != nil {
			assert.ErrorIs(t, delErr, isg.ErrInvalid)
		}
		assert.Equal(t, int64(1), mustGet(t, s, "view", "w1").Version)
	})

	t.Run("failed unit deletes nothing", func(t *testing.T) {
		putAll(t, s, rec("fail", "f1", 0, `{}`, member))
		boom := errors.New("boom")
		require.ErrorIs(t, s.Update(ctx, func(tx isg.Tx) error {
			if err := deleteIn(ctx, tx, "fail", "f1", 1); err != nil {
				return err
			}
			return boom
		}), boom)
		assert.Equal(t, int64(1), mustGet(t, s, "fail", "f1").Version)
		assert.Equal(t, 1, count(t, s, "fail", member))
	})
}

func wantCountOf(ctx context.Context, tx isg.Tx, kind isg.Kind, k isg.IndexKey, want int) error {
	n, err := tx.Count(ctx, kind, k)
	if err == nil && n != want {
		err = fmt.Errorf("Count(%s, %v) = %d, want %d", kind, k, n, want)
	}
	return err
}
