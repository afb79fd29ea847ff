package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/isgkit/gateway/isg"
	"github.com/stretchr/testify/require"
)

// blockTimeout is how long a case waits for a unit of work that should not be blocked before it
// declares the store blocked. It is a deadlock detector, not a performance bound: a correct store
// finishes in milliseconds.
const blockTimeout = 10 * time.Second

// errBlocked is what a case reports when a unit of work did not finish within blockTimeout while
// another unit was held open.
var errBlocked = errors.New("storagetest: unit of work blocked by another open unit of work (waited 10s)")

type testCase struct {
	name string
	run  func(t *testing.T, s isg.Store)
}

// cases is the suite, in the order Run runs it.
var cases = []testCase{
	{"RoundTrip", testRoundTrip},
	{"PutCopies", testPutCopies},
	{"NotFound", testNotFound},
	{"PutVersions", testPutVersions},
	{"ReadSetConflict", testReadSetConflict},
	{"UniqueKeys", testUniqueKeys},
	{"UniqueKeyRace", testUniqueKeyRace},
	{"AllOrNothing", testAllOrNothing},
	{"Panic", testPanic},
	{"CanceledContext", testCanceledContext},
	{"OwnWrites", testOwnWrites},
	{"Isolation", testIsolation},
	{"FindOrderAndPaging", testFindOrderAndPaging},
	{"IndexReplacement", testIndexReplacement},
	{"Count", testCount},
	{"ViewRejectsPut", testViewRejectsPut},
	{"JSONBodies", testJSONBodies},
	{"SameRecordRace", testSameRecordRace},
	{"ConcurrentWriters", testConcurrentWriters},
	{"NonBlocking", testNonBlocking},
	{"VersionReader", testVersionReader},
	{"ChangeCounter", testChangeCounter},
	{"VersionFinder", testVersionFinder},
	{"EncodedPutter", testEncodedPutter},
	{"Delete", testDelete},
	{"ListingConflicts", onOneStore(testListingConflicts)},
	{"ListingRace", onOneStore(testListingRace)},
}

// storesCase is a case on two Stores over the same data; Run gives it one store twice.
type storesCase struct {
	name string
	run  func(t *testing.T, a, b isg.Store)
}

// sharedStoreCases are the cases RunShared runs, in order.
var sharedStoreCases = []storesCase{
	{"ListingConflicts", testListingConflicts},
	{"ListingRace", testListingRace},
}

func onOneStore(run func(t *testing.T, a, b isg.Store)) func(t *testing.T, s isg.Store) {
	return func(t *testing.T, s isg.Store) { run(t, s, s) }
}

// Run runs the conformance suite against the stores newStore makes. newStore is called once per
// subtest and must return an empty store; it should register its own cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) isg.Store) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, newStore(t))
		})
	}
}

// RunShared runs the record-level cases where units of work on two Stores over the same data
// interleave, as two application servers (or processes) would have them: newStores returns two
// Stores open on one, empty, database. A unit on one store lists an index key and another unit
// commits a change to it through the other store before the first commits (ListingConflicts),
// and contenders on both stores join a key of bounded size (ListingRace). Run runs the same
// cases with one store in both roles.
//
//	func TestTwoStores(t *testing.T) {
//		storagetest.RunShared(t, func(t *testing.T) (isg.Store, isg.Store) {
//			dsn := newDatabase(t)
//			return mustOpen(t, dsn), mustOpen(t, dsn)
//		})
//	}
func RunShared(t *testing.T, newStores func(t *testing.T) (isg.Store, isg.Store)) {
	t.Helper()
	for _, c := range sharedStoreCases {
		t.Run(c.name, func(t *testing.T) {
			a, b := newStores(t)
			c.run(t, a, b)
		})
	}
}

// rec builds a record; keys may be empty.
func rec(kind isg.Kind, id string, version int64, body string, keys ...isg.IndexKey) isg.Record {
	return isg.Record{Kind: kind, ID: id, Version: version, Body: []byte(body), Keys: keys}
}

func key(name, value string) isg.IndexKey { return isg.IndexKey{Name: name, Value: value} }

func uniqueKey(name, value string) isg.IndexKey {
	return isg.IndexKey{Name: name, Value: value, Unique: true}
}

// putAll writes recs in one unit of work and fails the test if it does not commit.
func putAll(t testing.TB, s isg.Store, recs ...isg.Record) {
	t.Helper()
	require.NoError(t, s.Update(context.Background(), func(tx isg.Tx) error {
		for _, r := range recs {
			if _, err := tx.Put(context.Background(), r); err != nil {
				return fmt.Errorf("put %s %s: %w", r.Kind, r.ID, err)
			}
		}
		return nil
	}))
}

// tryPut writes recs in one unit of work and returns Update's error.
func tryPut(s isg.Store, recs ...isg.Record) error {
	return s.Update(context.Background(), func(tx isg.Tx) error {
		for _, r := range recs {
			if _, err := tx.Put(context.Background(), r); err != nil {
				return err
			}
		}
		return nil
	})
}

// get reads one record in its own read-only unit.
func get(t testing.TB, s isg.Store, kind isg.Kind, id string) (isg.Record, error) {
	t.Helper()
	var r isg.Record
	err := s.View(context.Background(), func(tx isg.Tx) error {
		var err error
		r, err = tx.Get(context.Background(), kind, id)
		return err
	})
	return r, err
}

func mustGet(t testing.TB, s isg.Store, kind isg.Kind, id string) isg.Record {
	t.Helper()
	r, err := get(t, s, kind, id)
	require.NoError(t, err, "get %s %s", kind, id)
	return r
}

func requireAbsent(t testing.TB, s isg.Store, kind isg.Kind, id string) {
	t.Helper()
	_, err := get(t, s, kind, id)
	require.ErrorIs(t, err, isg.ErrNotFound, "%s %s should not exist", kind, id)
}

func find(t testing.TB, s isg.Store, kind isg.Kind, k isg.IndexKey, page isg.Page) []isg.Record {
	t.Helper()
	var out []isg.Record
	require.NoError(t, s.View(context.Background(), func(tx isg.Tx) error {
		var err error
		out, err = tx.Find(context.Background(), kind, k, page)
		return err
	}))
	return out
}

func count(t testing.TB, s isg.Store, kind isg.Kind, k isg.IndexKey) int {
	t.Helper()
	var n int
	require.NoError(t, s.View(context.Background(), func(tx isg.Tx) error {
		var err error
		n, err = tx.Count(context.Background(), kind, k)
		return err
	}))
	return n
}

func idsOf(recs []isg.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

// beside runs f on another goroutine while the caller holds a unit of work open, and waits for
// it. It returns errBlocked when f does not finish in blockTimeout; f's goroutine is then left to
// finish once the caller's unit ends.
func beside(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(blockTimeout):
		return errBlocked
	}
}
