package storagetest

import (
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
)

// Dumper is an optional capability of a store under test: a copy of every committed record, by
// kind and ID, as storage/memory's Store.Dump gives. Where the store offers it, RunGateway's
// all-or-nothing case also compares the whole store before and after each failed command; without
// it the case compares every record and index key the Gateway ever wrote, read back through
// isg.Store (which is what catches a partial write; the dump adds nothing a store could hide).
type Dumper interface {
	Dump() map[isg.Kind]map[string]isg.Record
}

type gatewayCase struct {
	name string
	run  func(t *testing.T, s isg.Store)
}

// gatewayCases are the cases on one store, in the order RunGateway runs them.
var gatewayCases = []gatewayCase{
	{"RoundTrip", testGatewayRoundTrip},
	{"OutboxAtLeastOnce", testOutboxAtLeastOnce},
	{"LogChain", testLogChain},
	{"AllOrNothing", testGatewayAllOrNothing},
}

type sharedCase struct {
	name string
	run  func(t *testing.T, a, b isg.Store)
}

// sharedCases are the cases on two Stores over the same data, as two processes would have them.
var sharedCases = []sharedCase{
	{"CompetingMergeAnswers", testCompetingMergeAnswers},
	{"LastLicence", testLastLicence},
	{"CompetingDrainers", testCompetingDrainers},
	{"FlakyDrainers", testFlakyDrainers},
	{"SweepEverywhere", testSweepEverywhere},
}

// RunGateway checks, end to end through an isg.Gateway, what the Gateway relies on a store for:
//
//   - RoundTrip: every aggregate — accounts, organisations, invitations, roles, delegations, the
//     MoU and signatures, assurance, contracts, licences and requests, summaries, flows through
//     DPO review to Finalised, risk assessments, copies, documents, merges, closures and
//     notifications — written by a command reads back through the Gateway's queries exactly as
//     the command returned it (compared as JSON, the form the Gateway stores).
//   - OutboxAtLeastOnce: a failing Notifier leaves messages pending and leased; after
//     isg.DrainLease they are delivered; once marked sent none is delivered again.
//   - LogChain: summary and flow transaction logs verify after the round trip, and an entry
//     altered, re-hashed, moved or hidden directly in the store (kind "log_entry") is detected.
//   - AllOrNothing: each of a dozen commands is run with its first, second, … store call failing
//     (see Faulty) until it succeeds; after every failure the store must hold exactly what it held
//     before. The check is generic: the wrapper remembers every record and index key ever written
//     through it, and those are read back (by Get, Find and Count) and compared; since the store
//     starts empty and only the Gateway writes, that covers everything a failed unit could have
//     left behind. A store implementing Dumper is also compared whole.
//   - the cases of RunGatewayShared, with both Gateways on the one store.
//
// Call it beside Run, with the same kind of function:
//
//	func TestGateway(t *testing.T) {
//		storagetest.RunGateway(t, func(t *testing.T) isg.Store {
//			s, err := mystore.Open(filepath.Join(t.TempDir(), "isg.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Each case runs on a fresh store, with a settable clock and cheap password hashing so that the
// whole suite takes seconds.
func RunGateway(t *testing.T, newStore func(t *testing.T) isg.Store) {
	t.Helper()
	for _, c := range gatewayCases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
	}
	for _, c := range sharedCases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			c.run(t, s, s)
		})
	}
}

// RunGatewayShared runs the cases where two Gateways work on the same data at once, each over its
// own Store, as two application servers (or processes) would: newStores returns two Stores open
// on one, empty, database. Conflicting commands must resolve by version (both answering the same
// merge, both allocating a contract's last licence: exactly one wins); competing drainers — with
// and without failing deliveries — must deliver every message, and none twice once it is marked
// sent; and the periodic Sweep run on both at once must raise each rating expiry once.
//
//	func TestTwoServers(t *testing.T) {
//		storagetest.RunGatewayShared(t, func(t *testing.T) (isg.Store, isg.Store) {
//			dsn := newDatabase(t)
//			return mustOpen(t, dsn), mustOpen(t, dsn)
//		})
//	}
func RunGatewayShared(t *testing.T, newStores func(t *testing.T) (isg.Store, isg.Store)) {
	t.Helper()
	for _, c := range sharedCases {
		t.Run(c.name, func(t *testing.T) {
			a, b := newStores(t)
			c.run(t, a, b)
		})
	}
}

// RunScenarios runs every scenario file of dir (package isg/scenario) on Gateways over the stores
// newStore makes, one fresh store per file. This module's adapters run the shared files of
// testdata/scenarios; a host can run them too, or its own.
func RunScenarios(t *testing.T, dir string, newStore func(t *testing.T) isg.Store) {
	t.Helper()
	scenario.RunAll(t, dir, func(t *testing.T, opts ...isg.Option) *isg.Gateway {
		return NewGateway(t, newStore(t), opts...)
	})
}

// CheapPasswords makes password hashing (argon2id) as cheap as it goes, for tests that register
// many accounts. Never use it in production: DefaultPasswordParams is the Gateway's default.
var CheapPasswords = isg.WithPasswordParams(isg.PasswordParams{Time: 1, Memory: 64, Threads: 1})

// NewGateway returns a Gateway over s with CheapPasswords and opts, failing t if New fails.
func NewGateway(t testing.TB, s isg.Store, opts ...isg.Option) *isg.Gateway {
	t.Helper()
	g, err := isg.New(s, append([]isg.Option{CheapPasswords}, opts...)...)
	if err != nil {
		t.Fatalf("storagetest: isg.New: %v", err)
	}
	return g
}
