package agreement_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/isgkit/gateway/agreement"
)

// FuzzVerifySignature: SIGN-4, LOG-3 — arbitrary bytes decoded as a signature's JSON and verified
// against a signed flow never panic, and never verify unless they decode to the real signature
// (the seed): a forger who can write anything into the signature cannot make one.
func FuzzVerifySignature(f *testing.F) {
	w, _, l := finalised(f)
	k := testKey("trust")
	real := signAs(f, l, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, k, "k1")
	l.record(f, w.officer, real)
	realJSON, err := json.Marshal(real)
	if err != nil {
		f.Fatal(err)
	}
	canonicalReal, err := agreement.Canonicalize(realJSON)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(realJSON)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"statement":{"format":"isg-signature/1"},"algorithm":"Ed25519","value":"AAAA"}`))
	f.Add(bytes.Replace(realJSON, []byte(`"senior_officer"`), []byte(`"delegate"`), 1))
	f.Add([]byte(`null`))
	keys := []agreement.PublicKey{
		platformKey("k1", k),
		{ID: "k1", Key: k.Public(), User: w.officer.User, Org: w.trust},
		{ID: "k1", Key: testKey("other").Public()},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var sig agreement.Signature
		if json.Unmarshal(b, &sig) != nil {
			return
		}
		// Late is the platform's note beside the signature (SIGN-3), not part of what is signed:
		// the record's log covers it (LOG-3). Everything else must be the real signature's.
		sig.Late = false
		for i, key := range keys {
			key.ID = sig.Statement.KeyID
			err := agreement.VerifySignature(l.f, l.log, sig, key)
			if err == nil {
				again, _ := json.Marshal(sig)
				c, cerr := agreement.Canonicalize(again)
				if i == 2 || cerr != nil || !bytes.Equal(c, canonicalReal) {
					t.Fatalf("a signature that is not the real one verified under key %d: %s", i, b)
				}
			} else if codeOf(t, err) == "" {
				t.Fatalf("untyped refusal: %v", err)
			}
		}
		r := agreement.VerifySignatures(l.f, []agreement.Signature{sig}, l.log, func(string) (agreement.PublicKey, error) {
			return agreement.PublicKey{ID: sig.Statement.KeyID, Key: k.Public()}, nil
		})
		if r.Valid {
			again, _ := json.Marshal(sig)
			if c, _ := agreement.Canonicalize(again); !bytes.Equal(c, canonicalReal) {
				t.Fatalf("the report passed a forged signature: %s", b)
			}
		}
	})
}
