package agreement_test

import (
	"fmt"
	"testing"

	"github.com/isgkit/gateway/agreement"
)

// BenchmarkSign builds a statement for a finalised flow (its terms canonicalised and hashed) and
// signs it with an in-memory Ed25519 key (SIGN-4).
func BenchmarkSign(b *testing.B) {
	w, _, l := finalised(b)
	k := testKey("trust")
	who := agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}
	b.ReportAllocs()
	for b.Loop() {
		st, err := agreement.NewStatement(l.f, who, l.at, "k1")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := agreement.Sign(st, k, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifySignature verifies one Ed25519 signature against the flow and its log (SIGN-4,
// LOG-3): terms hash, chain of the whole log, log head, value.
func BenchmarkVerifySignature(b *testing.B) {
	w, _, l := finalised(b)
	k := testKey("trust")
	sig := signAs(b, l, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, k, "k1")
	l.record(b, w.officer, sig)
	key := platformKey("k1", k)
	b.ReportAllocs()
	for b.Loop() {
		if err := agreement.VerifySignature(l.f, l.log, sig, key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyFlow10Signatures verifies a flow signed by ten organisations, each signature
// recorded (and logged) in turn, through VerifySignatures (SIGN-4, LOG-3).
func BenchmarkVerifyFlow10Signatures(b *testing.B) {
	w, _, l := finalised(b)
	k := testKey("platform")
	for i := range 10 {
		who := agreement.Signatory{User: w.user(), Role: "senior_officer", Org: w.org()}
		l.record(b, agreement.Actor{User: who.User, Org: who.Org}, signAs(b, l, who, k, fmt.Sprint("k", i%2)))
	}
	keys := func(id string) (agreement.PublicKey, error) { return platformKey(id, k), nil }
	b.ReportAllocs()
	for b.Loop() {
		if r := agreement.VerifySignatures(l.f, l.f.Signatures, l.log, keys); !r.Valid {
			b.Fatalf("%+v", r)
		}
	}
}
