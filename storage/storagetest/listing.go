package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// errNoDeleter is what a case's unit returns when it needs isg.Deleter and the store's Tx does
// not offer it; the case then skips.
var errNoDeleter = errors.New("storagetest: the store's Tx does not implement isg.Deleter")

// offersDeleter reports whether the units of work of s implement isg.Deleter.
func offersDeleter(t testing.TB, s isg.Store) bool { return offers[isg.Deleter](t, s) }

// offers reports whether the units of work of s implement the optional interface C.
func offers[C any](t testing.TB, s isg.Store) bool {
	t.Helper()
	var ok bool
	require.NoError(t, s.View(context.Background(), func(tx isg.Tx) error {
		_, ok = tx.(C)
		return nil
	}))
	return ok
}

// deleteIn deletes through tx's isg.Deleter, or returns errNoDeleter.
func deleteIn(ctx context.Context, tx isg.Tx, kind isg.Kind, id string, version int64) error {
	d, ok := tx.(isg.Deleter)
	if !ok {
		return errNoDeleter
	}
	return d.Delete(ctx, kind, id, version)
}

// testListingConflicts is the listing rule of the Store contract, as deterministic
// interleavings: unit A lists an index key (with Find, and separately with Count), then — inside
// A's fn, after the listing — unit B commits a change through store b, then A writes an
// unrelated record and returns nil. When B made a record enter or leave the key A listed, A must
// fail with isg.ErrConflict and its write must not land; when B changed only what A's listing
// does not depend on, A commits. Records returned by Find join A's read set, so a Find is also
// invalidated by B rewriting a record it returned, where a Count is not. a and b are the same
// store in Run and two stores on the same data in RunShared.
//
// The seed, per subtest in a kind of its own: u1 and u2 hold member=in, u3 holds member=out.
func testListingConflicts(t *testing.T, a, b isg.Store) {
	ctx := context.Background()
	in, out, extra, empty := key("member", "in"), key("member", "out"), key("role", "dpo"), key("member", "none")
	hasDeleter := offersDeleter(t, b)
	tests := []struct {
		name string
		// listed is the key A lists; in when unset.
		listed isg.IndexKey
		// change is B's unit of work on kind.
		change func(tx isg.Tx, kind isg.Kind) error
		// findConflicts and countConflicts say whether A's commit must fail after listing with
		// Find, and with Count.
		findConflicts, countConflicts bool
		needsDelete                   bool
	}{
		{name: "record created in the key", change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind, "u9", 0, `{"by":"B"}`, in))
			return err
		}, findConflicts: true, countConflicts: true},
		{name: "record created in an empty key", listed: empty, change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind, "u9", 0, `{"by":"B"}`, empty))
			return err
		}, findConflicts: true, countConflicts: true},
		{name: "record moved into the key", change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind, "u3", 1, `{"by":"B"}`, in))
			return err
		}, findConflicts: true, countConflicts: true},
		{name: "record moved out of the key", change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind, "u1", 1, `{"by":"B"}`, out))
			return err
		}, findConflicts: true, countConflicts: true},
		{name: "record lost its only key", change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind, "u2", 1, `{"by":"B"}`))
			return err
		}, findConflicts: true, countConflicts: true},
		{name: "record in the key deleted", needsDelete: true, change: func(tx isg.Tx, kind isg.Kind) error {
			return deleteIn(ctx, tx, kind, "u1", 1)
		}, findConflicts: true, countConflicts: true},
		{name: "last record of the key deleted", listed: out, needsDelete: true, change: func(tx isg.Tx, kind isg.Kind) error {
			return deleteIn(ctx, tx, kind, "u3", 1)
		}, findConflicts: true, countConflicts: true},
		// Controls: nothing entered or left the listed key.
		{name: "record created in another key", change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind, "u9", 0, `{"by":"B"}`, out))
			return err
		}},
		{name: "record created in the key of another kind", change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind+"-other", "u9", 0, `{"by":"B"}`, in))
			return err
		}},
		{name: "record outside the key deleted", needsDelete: true, change: func(tx isg.Tx, kind isg.Kind) error {
			return deleteIn(ctx, tx, kind, "u3", 1)
		}},
		// A rewrite that keeps the record in the key is no membership change; but Find returned
		// the record, so it is in A's read set and the rewrite conflicts with a Find.
		{name: "record in the key rewritten, keys kept", change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind, "u1", 1, `{"by":"B"}`, in))
			return err
		}, findConflicts: true},
		{name: "record in the key gains another key", change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind, "u1", 1, `{"by":"B"}`, extra, in))
			return err
		}, findConflicts: true},
		{name: "record outside the key rewritten", change: func(tx isg.Tx, kind isg.Kind) error {
			_, err := tx.Put(ctx, rec(kind, "u3", 1, `{"by":"B"}`, out, extra))
			return err
		}},
	}
	n := 0
	for _, tt := range tests {
		// FindVersions, where the store offers isg.VersionFinder, lists exactly as Find does.
		for _, how := range []string{"Find", "Count", "FindVersions"} {
			n++
			kind := isg.Kind(fmt.Sprintf("listing%d", n))
			wantConflict := tt.findConflicts
			if how == "Count" {
				wantConflict = tt.countConflicts
			}
			t.Run(how+"/"+tt.name, func(t *testing.T) {
				if tt.needsDelete && !hasDeleter {
					t.Skip(errNoDeleter)
				}
				if how == "FindVersions" && !offers[isg.VersionFinder](t, a) {
					t.Skip("the store's Tx does not implement the optional isg.VersionFinder")
				}
				listed := tt.listed
				if listed == (isg.IndexKey{}) {
					listed = in
				}
				putAll(t, a, rec(kind, "u1", 0, `{}`, in), rec(kind, "u2", 0, `{}`, in), rec(kind, "u3", 0, `{}`, out))
				var errB error
				var seen string
				errA := a.Update(ctx, func(tx isg.Tx) error {
					switch how {
					case "Find":
						found, err := tx.Find(ctx, kind, listed, isg.Page{})
						if err != nil {
							return err
						}
						seen = fmt.Sprint(idsOf(found))
					case "FindVersions":
						found, err := tx.(isg.VersionFinder).FindVersions(ctx, kind, listed, isg.Page{})
						if err != nil {
							return err
						}
						seen = fmt.Sprint(found)
					default:
						n, err := tx.Count(ctx, kind, listed)
						if err != nil {
							return err
						}
						seen = fmt.Sprint(n)
					}
					if err := beside(func() error {
						errB = b.Update(ctx, func(tx isg.Tx) error { return tt.change(tx, kind) })
						return errB
					}); err != nil {
						return err
					}
					_, err := tx.Put(ctx, rec(kind, "a", 0, `{"by":"A"}`))
					return err
				})
				require.NoError(t, errB, "unit B")
				if !wantConflict {
					require.NoError(t, errA, "unit A listed %v (%s) and B's change left the listing as it was", listed, seen)
					assertBody(t, `{"by":"A"}`, mustGet(t, a, kind, "a").Body)
					return
				}
				require.ErrorIs(t, errA, isg.ErrConflict, "unit A listed %v (%s) with %s, and B changed the answer before A committed", listed, seen, how)
				requireAbsent(t, a, kind, "a")
				requireAbsent(t, b, kind, "a")
			})
		}
	}

	// Units that add records to one key without listing it must not conflict with each other:
	// an outbox's "pending" key, say, is written by every command.
	t.Run("writers of a key that do not list it", func(t *testing.T) {
		kind := isg.Kind("listing-writers")
		putAll(t, a, rec(kind, "u1", 0, `{}`, in))
		var errB error
		errA := a.Update(ctx, func(tx isg.Tx) error {
			if _, err := tx.Put(ctx, rec(kind, "a", 0, `{"by":"A"}`, in)); err != nil {
				return err
			}
			if err := beside(func() error { errB = tryPut(b, rec(kind, "b", 0, `{"by":"B"}`, in)); return errB }); err != nil {
				return err
			}
			// A rewrite keeping the key, by A, of a record it read: not a listing either.
			u1, err := tx.Get(ctx, kind, "u1")
			if err != nil {
				return err
			}
			_, err = tx.Put(ctx, rec(kind, "u1", u1.Version, `{"by":"A"}`, in))
			return err
		})
		require.NoError(t, errB, "unit B")
		require.NoError(t, errA, "unit A only wrote the key B added to")
		assert.Equal(t, []string{"a", "b", "u1"}, idsOf(find(t, b, kind, in, isg.Page{})))
	})

	// A unit that lists a key and then changes it itself is still invalidated by another unit's
	// change: the "at most N" rule.
	t.Run("lister that adds to the key itself", func(t *testing.T) {
		kind := isg.Kind("listing-self")
		putAll(t, a, rec(kind, "u1", 0, `{}`, in))
		var errB error
		errA := a.Update(ctx, func(tx isg.Tx) error {
			n, err := tx.Count(ctx, kind, in)
			if err != nil {
				return err
			}
			if err := beside(func() error { errB = tryPut(b, rec(kind, "b", 0, `{"by":"B"}`, in)); return errB }); err != nil {
				return err
			}
			if n >= 2 {
				return fmt.Errorf("count %d before B's commit", n)
			}
			_, err = tx.Put(ctx, rec(kind, "a", 0, `{"by":"A"}`, in))
			return err
		})
		require.NoError(t, errB, "unit B")
		require.ErrorIs(t, errA, isg.ErrConflict, "A counted 1, B made it 2 before A added a third")
		assert.Equal(t, 2, count(t, b, kind, in))
	})

	// Units that only read commit nothing, but their answer is still checked: an Update that
	// writes nothing and whose listing changed fails too.
	t.Run("read-only unit", func(t *testing.T) {
		kind := isg.Kind("listing-readonly")
		putAll(t, a, rec(kind, "u1", 0, `{}`, in))
		var errB error
		errA := a.Update(ctx, func(tx isg.Tx) error {
			if _, err := tx.Count(ctx, kind, in); err != nil {
				return err
			}
			return beside(func() error { errB = tryPut(b, rec(kind, "b", 0, `{"by":"B"}`, in)); return errB })
		})
		require.NoError(t, errB, "unit B")
		require.ErrorIs(t, errA, isg.ErrConflict, "A's count was stale when it ended")
	})
}

// testListingRace is the listing rule under load: contenders, half on each store, each count
// the members of one key and join it only if it has fewer than capacity, retrying on conflict.
// However their commits interleave, the key ends with exactly capacity members.
func testListingRace(t *testing.T, a, b isg.Store) {
	const contenders, capacity, rounds = 8, 3, 4
	ctx := context.Background()
	errFull := errors.New("full")
	for round := range rounds {
		kind := isg.Kind(fmt.Sprintf("race%d", round))
		team := key("team", "t")
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, contenders)
		for c := range contenders {
			s := []isg.Store{a, b}[c%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for attempt := 0; ; attempt++ {
					if attempt == 1000 {
						errs[c] = fmt.Errorf("still conflicting after %d attempts: no unit makes progress", attempt)
						return
					}
					err := s.Update(ctx, func(tx isg.Tx) error {
						n, err := tx.Count(ctx, kind, team)
						if err != nil {
							return err
						}
						if n >= capacity {
							return errFull
						}
						_, err = tx.Put(ctx, rec(kind, fmt.Sprintf("c%d", c), 0, `{}`, team))
						return err
					})
					if errors.Is(err, isg.ErrConflict) {
						continue
					}
					if !errors.Is(err, errFull) {
						errs[c] = err
					}
					return
				}
			}()
		}
		close(start)
		wg.Wait()
		for c, err := range errs {
			require.NoError(t, err, "round %d contender %d", round, c)
		}
		require.Equal(t, capacity, count(t, a, kind, team), "round %d: the key holds its capacity and no more", round)
		require.Len(t, find(t, b, kind, team, isg.Page{}), capacity, "round %d", round)
	}
}
