package licensing_test

import (
	"testing"

	"github.com/isgkit/gateway/licensing"
)

var sinkErr error

// BenchmarkCheck is the capability check every licensed command makes: target < 50 ns and
// 0 allocations on the allowed path.
func BenchmarkCheck(b *testing.B) {
	ent := licensing.NewEntitlement(licensing.Group, licensing.DPIA)
	caps := licensing.Capabilities()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		sinkErr = licensing.Check(ent, caps[i%len(caps)])
	}
	if sinkErr != nil {
		b.Fatal(sinkErr)
	}
}

func BenchmarkAllows(b *testing.B) {
	ent := licensing.NewEntitlement(licensing.Group)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if ent.Allows(licensing.UploadDocuments) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("not allowed")
	}
}

// BenchmarkCheckDenied measures the refusal, which builds its error.
func BenchmarkCheckDenied(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkErr = licensing.Check(licensing.Free, licensing.UploadDocuments)
	}
}

// BenchmarkEntitlementFor computes an entitlement from a full standard contract (100 licences),
// the organisation's licence being the last one: the once-per-command cost.
func BenchmarkEntitlementFor(b *testing.B) {
	rules := licensing.NewRules()
	c := fill(b, rules, newContract(b, "100"), licensing.StandardCapacity)
	contracts := []licensing.Contract{c}
	at := year(0).AddDate(0, 6, 0)
	b.ReportAllocs()
	var ent licensing.Entitlement
	for b.Loop() {
		ent = licensing.EntitlementFor(org(100), contracts, at)
	}
	if ent != licensing.NewEntitlement(licensing.Group) {
		b.Fatal(ent)
	}
}

// BenchmarkAllocateRequest is one request answered through the shared stateless machine,
// including the copy of the contract's licences.
func BenchmarkAllocateRequest(b *testing.B) {
	rules := licensing.NewRules()
	c := fill(b, rules, newContract(b, "100"), 50)
	req := newRequest(b, 1, org(500), licensing.Group, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := rules.AllocateRequest(req, c, licID(500), t0); err != nil {
			b.Fatal(err)
		}
	}
}
