// Package storagetest is the conformance suite for isg.Store implementations, in the manner of
// testing/fstest.TestFS: an adapter — one of ours or a host's own — proves it keeps the Store
// contract by calling Run from its own test, with a function that makes a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) isg.Store {
//			s, err := mystore.Open(filepath.Join(t.TempDir(), "isg.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Each case runs as a named subtest on its own store, so `go test -run 'TestConformance/Unique'`
// narrows to one case. Several cases run units of work on many goroutines and are meant to be run
// under the race detector (`go test -race`). Cases that check that one unit of work does not
// block another wait for it at most ten seconds and then fail: an adapter that locks the whole
// store while fn runs fails them instead of hanging the test binary.
//
// The serializability of a unit of work is proved by deterministic interleavings, not load alone:
// in ListingConflicts a unit lists an index key (with Find, and separately with Count), then —
// inside its fn — another unit commits a record entering or leaving that key (created, re-keyed,
// deleted), or a change the listing does not depend on; the first unit must then fail with
// isg.ErrConflict, or commit, accordingly. ListingRace adds load: contenders join a key of bounded
// size and it must end exactly full. Optional capabilities are checked where the store offers
// them (VersionReader; ChangeCounter; isg.Deleter on its Tx: Delete and the deleting interleavings;
// isg.VersionFinder on its Tx: the same answers as Find page by page, and every ListingConflicts
// interleaving run through FindVersions too; isg.EncodedPutter on its Tx: Put's cases passed with
// PutEncoded); a store without them passes those cases. RunShared runs the interleavings with
// the two units on two Stores over the same data, as two servers would have them:
//
//	func TestConformanceTwoStores(t *testing.T) {
//		storagetest.RunShared(t, func(t *testing.T) (isg.Store, isg.Store) {
//			dsn := newDatabase(t)
//			return mustOpen(t, dsn), mustOpen(t, dsn)
//		})
//	}
//
// Run checks records; RunGateway checks, through an isg.Gateway, what the Gateway relies on a
// store for end to end — every aggregate round-trips, the outbox delivers at least once and never
// again once sent, transaction logs verify and tampering with them is detected, and a command
// whose store call fails leaves nothing behind — and RunGatewayShared checks two Gateways over
// two Stores on the same data (conflicts resolved by version, competing drainers, the sweep on
// every instance). An adapter calls all three:
//
//	func TestGateway(t *testing.T) { storagetest.RunGateway(t, newStore) }
//
//	func TestTwoServers(t *testing.T) {
//		storagetest.RunGatewayShared(t, func(t *testing.T) (isg.Store, isg.Store) {
//			dsn := newDatabase(t)
//			return open(t, dsn), open(t, dsn)
//		})
//	}
//
// RunScenarios runs the portable scenario files (package isg/scenario) on the adapter. Faulty, the
// store wrapper RunGateway injects failures with, is exported for hosts' own fault tests.
//
// Bodies are JSON (isg.Record): JSONBodies checks a store refuses anything else with
// isg.ErrInvalid, and every case compares bodies by JSON value (SameJSON), since a store may
// re-encode them as PostgreSQL's jsonb does. For an SQL adapter, RunDocumentedQueries runs the
// queries of docs/sql.md, exactly as written there, on stores filled by scenario files
// (Populate), and checks their rows against what the Go types say; Recording, a store wrapper
// that keeps every committed record, is what the expectations and the migration tests read.
//
// RunBenchmarks measures the same store through the same interface, so adapters can be compared.
package storagetest
