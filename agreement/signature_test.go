package agreement_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// codeOf returns the stable code of a verification error ("" for nil).
func codeOf(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *agreement.Error
	require.True(t, errors.As(err, &e), "want *agreement.Error, got %v", err)
	return e.Code
}

// TestSignatureVerifiesWithEachAlgorithmSIGN4: SIGN-4 — a statement signed through the standard
// crypto.Signer with an Ed25519, a P-256 ECDSA or an RSA key, through the one helper that picks
// the options (SignatureOptions), verifies against the flow and its log; the algorithm recorded
// is the key's.
func TestSignatureVerifiesWithEachAlgorithmSIGN4(t *testing.T) {
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tests := []struct {
		name   string
		signer crypto.Signer
		alg    string
	}{
		{"ed25519", testKey("a"), agreement.AlgEd25519},
		{"ecdsa-p256", p256, agreement.AlgECDSAP256SHA256},
		{"rsa-pss-2048", rsa2048, agreement.AlgRSAPSSSHA256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _, l := finalised(t)
			who := agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}
			sig := signAs(t, l, who, tt.signer, "k1")
			assert.Equal(t, tt.alg, sig.Algorithm)
			assert.Equal(t, agreement.SignatureFormat, sig.Statement.Format)
			assert.Equal(t, l.f.Log, sig.Statement.LogHead, "LOG-3: the statement binds the log head at signing")
			hash, err := agreement.TermsHash(l.f)
			require.NoError(t, err)
			assert.Equal(t, hash, sig.Statement.TermsHash)
			l.record(t, w.officer, sig)
			assert.NoError(t, agreement.VerifySignature(l.f, l.log, sig, platformKey("k1", tt.signer)))
		})
	}
}

// TestSignatureOptionsRefuseOtherKeysSIGN4: SIGN-4 — only keys of the documented algorithms sign:
// a P-384 key or a 1024-bit RSA key is refused with a typed error, by Sign as by the helper.
func TestSignatureOptionsRefuseOtherKeysSIGN4(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	for name, k := range map[string]crypto.Signer{"p384": p384, "rsa1024": rsa1024} {
		_, _, _, err := agreement.SignatureOptions(k.Public())
		assert.Equal(t, agreement.CodeSignatureUnsupportedKey, codeOf(t, err), name)
		assert.ErrorIs(t, err, agreement.ErrInvalid)
		w, _, l := finalised(t)
		st, err := agreement.NewStatement(l.f, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, l.at, "k")
		require.NoError(t, err)
		_, err = agreement.Sign(st, k, rand.Reader)
		assert.Equal(t, agreement.CodeSignatureUnsupportedKey, codeOf(t, err), name)
	}
	_, _, _, err = agreement.SignatureOptions(nil)
	assert.Equal(t, agreement.CodeSignatureUnsupportedKey, codeOf(t, err))
}

// TestChangingAnyTermAfterSigningFailsSIGN4: SIGN-4 — the signature is bound to the hash of the
// flow's terms: changing any one of them after signing (written to the record and logged, so
// the log itself still verifies) fails verification with signature.terms_changed.
func TestChangingAnyTermAfterSigningFailsSIGN4(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *agreement.Flow)
	}{
		{"name", func(f *agreement.Flow) { f.Name += "!" }},
		{"direction", func(f *agreement.Flow) { f.Direction = agreement.TwoWay }},
		{"frequency", func(f *agreement.Flow) { f.Frequency = agreement.Weekly }},
		{"transfer_mode", func(f *agreement.Flow) { f.TransferMode = agreement.SFTP }},
		{"transfer_details", func(f *agreement.Flow) { f.TransferDetails = "via the portal" }},
		{"controls", func(f *agreement.Flow) { f.Controls = []string{"Encrypted in transit", "Audited"} }},
		{"controls order", func(f *agreement.Flow) { f.Controls = []string{"b", "a"} }},
		{"personal_data", func(f *agreement.Flow) { f.PersonalData = false }},
		{"special_category_data", func(f *agreement.Flow) { f.SpecialCategoryData = true }},
		{"law_enforcement_data", func(f *agreement.Flow) { f.LawEnforcementData = true }},
		{"legal basis instrument", func(f *agreement.Flow) { f.LegalBases[0].Instrument = "Children Act 2004" }},
		{"legal bases removed", func(f *agreement.Flow) { f.LegalBases = nil }},
		{"privacy answer", func(f *agreement.Flow) { f.PrivacyAnswers["q1"] = "no" }},
		{"privacy answer added", func(f *agreement.Flow) { f.PrivacyAnswers["q2"] = "yes" }},
		{"assets", func(f *agreement.Flow) { f.Assets = []uuid.UUID{{7}} }},
		{"rev", func(f *agreement.Flow) { f.Rev++ }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _, l := finalised(t)
			if tt.name == "controls order" {
				next := l.f.Clone()
				next.Controls = []string{"a", "b"}
				l.apply(t, w.officer, next)
			}
			key := testKey("trust")
			sig := signAs(t, l, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, key, "k1")
			l.record(t, w.officer, sig)
			require.NoError(t, agreement.VerifySignature(l.f, l.log, sig, platformKey("k1", key)))

			next := l.f.Clone()
			tt.change(&next)
			l.apply(t, w.officer, next)
			require.NoError(t, agreement.Verify(l.f.Log, l.log), "the change is logged: only the signature can tell")
			err := agreement.VerifySignature(l.f, l.log, sig, platformKey("k1", key))
			assert.Equal(t, agreement.CodeSignatureTermsChanged, codeOf(t, err), "%v", err)
			assert.ErrorIs(t, err, agreement.ErrRule)
			assert.Equal(t, "SIGN-4", ruleOf(t, err))
		})
	}
}

// TestAddingAPartyKeepsSignaturesFLOW12: FLOW-12 — an organisation added to a finalised, partly
// signed flow leaves the signatures already made valid: the terms hash covers the terms, not the
// parties. So does a merge replacing a party (ORG-6) or a party leaving.
func TestAddingAPartyKeepsSignaturesFLOW12(t *testing.T) {
	w, s, l := finalised(t)
	key := testKey("trust")
	sig := signAs(t, l, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, key, "k1")
	l.record(t, w.officer, sig)
	before, err := agreement.TermsHash(l.f)
	require.NoError(t, err)

	added, _, err := agreement.AddParty(l.f, s, w.officer, l.at, w.police, agreement.SideTo)
	require.NoError(t, err)
	l.apply(t, w.officer, added)
	after, err := agreement.TermsHash(l.f)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	assert.NoError(t, agreement.VerifySignature(l.f, l.log, sig, platformKey("k1", key)), "FLOW-12: signatures stay valid")

	merged := l.f.Clone()
	survivor := w.org()
	merged.Parties[1], merged.To[0] = survivor, survivor
	l.apply(t, w.officer, merged)
	assert.NoError(t, agreement.VerifySignature(l.f, l.log, sig, platformKey("k1", key)), "ORG-6: a merge keeps them")

	left := l.f.Clone()
	left.Parties, left.To = left.Parties[:2], left.To[:1]
	l.apply(t, w.officer, left)
	assert.NoError(t, agreement.VerifySignature(l.f, l.log, sig, platformKey("k1", key)), "a withdrawal keeps them")
}

// rechain rebuilds a log from entries whose chain was broken (some dropped, some altered): the
// forger's consistent rewrite, every entry renumbered and rehashed and the head recomputed.
func rechain(entries []agreement.LogEntry) ([]agreement.LogEntry, agreement.LogHead) {
	var out []agreement.LogEntry
	var head agreement.LogHead
	for _, e := range entries {
		var next []agreement.LogEntry
		next, head = agreement.Append(head, e.Subject, []agreement.Change{{Field: e.Field, Old: e.Old, New: e.New}}, e.User, e.Org, e.At)
		out = append(out, next...)
	}
	return out, head
}

// TestDroppedOrRewrittenLogDetectedLOG3: LOG-3 — a signature binds the flow's log head at
// signing. Dropping entries after signing and rewriting the head — even recomputing the whole
// chain so that the log on its own verifies (LOG-2 cannot tell) — fails with
// signature.log_mismatch; so does a log broken without the head rewritten.
func TestDroppedOrRewrittenLogDetectedLOG3(t *testing.T) {
	w, s, l := finalised(t)
	key := testKey("trust")
	sig := signAs(t, l, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, key, "k1")
	l.record(t, w.officer, sig)
	added, _, err := agreement.AddParty(l.f, s, w.officer, l.at, w.police, agreement.SideTo)
	require.NoError(t, err)
	l.apply(t, w.officer, added)
	require.NoError(t, agreement.VerifySignature(l.f, l.log, sig, platformKey("k1", key)))
	signedAt := int(sig.Statement.LogHead.Count)
	require.Greater(t, signedAt, 3)

	tests := []struct {
		name   string
		forged func() []agreement.LogEntry
		head   bool // rewrite the head from the forged log
	}{
		{"truncated before the signed head", func() []agreement.LogEntry { return l.log[:signedAt-1] }, true},
		{"an entry before the head dropped, chain recomputed", func() []agreement.LogEntry {
			return append(append([]agreement.LogEntry{}, l.log[:1]...), l.log[2:]...)
		}, true},
		{"the first entry dropped, chain recomputed", func() []agreement.LogEntry { return l.log[1:] }, true},
		{"an entry before the head rewritten, chain recomputed", func() []agreement.LogEntry {
			out := append([]agreement.LogEntry{}, l.log...)
			out[1].New = `"someone else"`
			return out
		}, true},
		{"an entry dropped, head kept", func() []agreement.LogEntry {
			return append(append([]agreement.LogEntry{}, l.log[:1]...), l.log[2:]...)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := l.f.Clone()
			log := tt.forged()
			if tt.head {
				log, f.Log = rechain(log)
				require.NoError(t, agreement.Verify(f.Log, log), "the forged log verifies on its own")
			}
			err := agreement.VerifySignature(f, log, sig, platformKey("k1", key))
			assert.Equal(t, agreement.CodeSignatureLogMismatch, codeOf(t, err), "%v", err)
			assert.Equal(t, "LOG-3", ruleOf(t, err))
		})
	}
}

// TestKeyOfAnotherSignatoryNeverVerifiesSIGN4: SIGN-4 — a key the key ring gives to one user or
// organisation verifies only that signatory's signatures: a key of another user, or of another
// party, is refused with signature.key_not_signatory even though the value verifies under it.
// A platform key (no user, no organisation) signs for anyone.
func TestKeyOfAnotherSignatoryNeverVerifiesSIGN4(t *testing.T) {
	w, _, l := finalised(t)
	k := testKey("ann")
	who := agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}
	sig := signAs(t, l, who, k, "ann-card")
	tests := []struct {
		name string
		key  agreement.PublicKey
		code string
	}{
		{"the signatory's own key", agreement.PublicKey{ID: "ann-card", Key: k.Public(), User: who.User, Org: who.Org}, ""},
		{"a key of the signatory's organisation", agreement.PublicKey{ID: "ann-card", Key: k.Public(), Org: who.Org}, ""},
		{"a platform key", agreement.PublicKey{ID: "ann-card", Key: k.Public()}, ""},
		{"another user's key", agreement.PublicKey{ID: "ann-card", Key: k.Public(), User: w.councilOfficer.User}, agreement.CodeSignatureKeyNotSignatory},
		{"the user's key at another party", agreement.PublicKey{ID: "ann-card", Key: k.Public(), User: who.User, Org: w.council}, agreement.CodeSignatureKeyNotSignatory},
		{"another party's key", agreement.PublicKey{ID: "ann-card", Key: k.Public(), Org: w.council}, agreement.CodeSignatureKeyNotSignatory},
		{"a key under another ID", agreement.PublicKey{ID: "bob-card", Key: k.Public()}, agreement.CodeSignatureUnknownKey},
		{"no key", agreement.PublicKey{ID: "ann-card"}, agreement.CodeSignatureUnknownKey},
		{"another key under the ID", agreement.PublicKey{ID: "ann-card", Key: testKey("bob").Public()}, agreement.CodeSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, codeOf(t, agreement.VerifySignature(l.f, l.log, sig, tt.key)))
		})
	}

	// Bob, at the council, cannot make a signature in Ann's name with his own key: re-signing a
	// statement naming Ann fails against the key ring's record of Bob's key.
	bob := testKey("bob")
	forged := signAs(t, l, who, bob, "bob-card")
	bobKey := agreement.PublicKey{ID: "bob-card", Key: bob.Public(), User: w.councilOfficer.User, Org: w.council}
	assert.Equal(t, agreement.CodeSignatureKeyNotSignatory, codeOf(t, agreement.VerifySignature(l.f, l.log, forged, bobKey)))
}

// TestRotatedKeysStillVerifySIGN4: SIGN-4 — the statement names the key that made it, so after a
// rotation the signatures made with the old key still verify through a key ring that keeps it,
// beside those made with the new one; a ring that forgot the old key reports it unknown.
func TestRotatedKeysStillVerifySIGN4(t *testing.T) {
	w, _, l := finalised(t)
	old, cur := testKey("2025"), testKey("2026")
	first := signAs(t, l, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, old, "platform-2025")
	l.record(t, w.officer, first)
	second := signAs(t, l, agreement.Signatory{User: w.councilOfficer.User, Role: "information_asset_owner", Org: w.council}, cur, "platform-2026")
	l.record(t, w.councilOfficer, second)

	ring := map[string]agreement.PublicKey{"platform-2025": platformKey("platform-2025", old), "platform-2026": platformKey("platform-2026", cur)}
	keys := func(id string) (agreement.PublicKey, error) {
		k, ok := ring[id]
		if !ok {
			return agreement.PublicKey{}, errors.New("no such key")
		}
		return k, nil
	}
	r := agreement.VerifySignatures(l.f, l.f.Signatures, l.log, keys)
	assert.True(t, r.Valid, "%+v", r)
	require.Len(t, r.Checks, 2)
	assert.Equal(t, "platform-2025", r.Checks[0].KeyID)
	assert.Equal(t, "platform-2026", r.Checks[1].KeyID)

	delete(ring, "platform-2025")
	r = agreement.VerifySignatures(l.f, l.f.Signatures, l.log, keys)
	assert.False(t, r.Valid)
	assert.Equal(t, agreement.CodeSignatureUnknownKey, r.Checks[0].Code)
	assert.Contains(t, r.Checks[0].Reason, "no such key")
	assert.True(t, r.Checks[1].Valid)
}

// TestTamperedSignatureFailsSIGN4: SIGN-4 — the value signs the whole statement: a flipped bit of
// the value, or any field of the statement changed (the signatory, the time, the hashes, the key
// ID), fails; so does a signature claiming another algorithm, an unknown format, or one that is
// missing its parts.
func TestTamperedSignatureFailsSIGN4(t *testing.T) {
	w, _, l := finalised(t)
	k := testKey("trust")
	good := signAs(t, l, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, k, "k1")
	ring := func(id string) agreement.PublicKey { return platformKey(id, k) }
	tests := []struct {
		name   string
		tamper func(s *agreement.Signature)
		code   string
	}{
		{"a bit of the value", func(s *agreement.Signature) { s.Value[5] ^= 1 }, agreement.CodeSignatureInvalid},
		{"the value cut", func(s *agreement.Signature) { s.Value = s.Value[:63] }, agreement.CodeSignatureInvalid},
		{"the role", func(s *agreement.Signature) { s.Statement.Signatory.Role = "delegate" }, agreement.CodeSignatureInvalid},
		{"the user", func(s *agreement.Signature) { s.Statement.Signatory.User = w.councilOfficer.User }, agreement.CodeSignatureInvalid},
		{"the organisation", func(s *agreement.Signature) { s.Statement.Signatory.Org = w.council }, agreement.CodeSignatureInvalid},
		{"the time", func(s *agreement.Signature) { s.Statement.SignedAt = s.Statement.SignedAt.Add(time.Nanosecond) }, agreement.CodeSignatureInvalid},
		{"the terms hash", func(s *agreement.Signature) { s.Statement.TermsHash = "00" + s.Statement.TermsHash[2:] }, agreement.CodeSignatureInvalid},
		{"the log head", func(s *agreement.Signature) { s.Statement.LogHead.Count-- }, agreement.CodeSignatureInvalid},
		{"the revision", func(s *agreement.Signature) { s.Statement.Rev++ }, agreement.CodeSignatureInvalid},
		{"the algorithm", func(s *agreement.Signature) { s.Algorithm = agreement.AlgECDSAP256SHA256 }, agreement.CodeSignatureInvalid},
		{"the format", func(s *agreement.Signature) { s.Statement.Format = "isg-signature/2" }, agreement.CodeSignatureUnknownFormat},
		{"no value", func(s *agreement.Signature) { s.Value = nil }, agreement.CodeSignatureMalformed},
		{"no role", func(s *agreement.Signature) { s.Statement.Signatory.Role = "" }, agreement.CodeSignatureMalformed},
		{"a hash not in hex", func(s *agreement.Signature) { s.Statement.TermsHash = "xyz" }, agreement.CodeSignatureMalformed},
		{"another flow", func(s *agreement.Signature) { s.Statement.Flow = agreement.FlowID{UUID: uuid.UUID{9}} }, agreement.CodeSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			s.Value = append([]byte{}, good.Value...)
			tt.tamper(&s)
			err := agreement.VerifySignature(l.f, l.log, s, ring(s.Statement.KeyID))
			assert.Equal(t, tt.code, codeOf(t, err), "%v", err)
		})
	}
	assert.NoError(t, agreement.VerifySignature(l.f, l.log, good, ring("k1")), "the fixture itself verifies")
}

// TestSignatureOfAnotherFlowSIGN4: SIGN-4 — a genuine signature copied onto another flow, even
// one with the very same terms, names the flow it was made for and is refused.
func TestSignatureOfAnotherFlowSIGN4(t *testing.T) {
	w, _, l := finalised(t)
	k := testKey("trust")
	sig := signAs(t, l, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, k, "k1")
	copied := l.f.Clone()
	copied.ID = agreement.FlowID{UUID: uuid.UUID{1, 2, 3}}
	err := agreement.VerifySignature(copied, l.log, sig, platformKey("k1", k))
	assert.Equal(t, agreement.CodeSignatureWrongFlow, codeOf(t, err))
}

// TestNewStatementValidatesSIGN4: SIGN-4 — a statement must identify its signatory (user, role,
// organisation), its time and its key; each missing part is a field error naming SIGN-4.
func TestNewStatementValidatesSIGN4(t *testing.T) {
	w, _, l := finalised(t)
	who := agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}
	local := time.Date(2026, 6, 1, 10, 0, 0, 5, time.FixedZone("BST", 3600))
	st, err := agreement.NewStatement(l.f, who, local, "k1")
	require.NoError(t, err)
	assert.Equal(t, time.UTC, st.SignedAt.Location(), "the time is kept in UTC")
	assert.True(t, st.SignedAt.Equal(local))
	assert.Equal(t, l.f.ID, st.Flow)
	assert.Equal(t, l.f.SummaryID, st.Summary)
	assert.Equal(t, l.f.Rev, st.Rev)

	_, err = agreement.NewStatement(agreement.Flow{}, agreement.Signatory{}, time.Time{}, "")
	assert.ElementsMatch(t, []string{"flow/required", "summary/required", "signatory.user/required", "signatory.org/required",
		"signatory.role/required", "key_id/required", "signed_at/required"}, fieldCodes(t, err))
	assert.Equal(t, "SIGN-4", ruleOf(t, err))
	long := make([]byte, 257)
	_, err = agreement.NewStatement(l.f, who, local, string(long))
	assert.Equal(t, []string{"key_id/max"}, fieldCodes(t, err))
}

// TestVerifySignaturesReportNamesEachSIGN4: SIGN-4 — the report names each signature by its
// signatory and key and says why one failed; it is valid only when there are signatures and all
// of them verify.
func TestVerifySignaturesReportNamesEachSIGN4(t *testing.T) {
	w, _, l := finalised(t)
	k := testKey("trust")
	a := signAs(t, l, agreement.Signatory{User: w.officer.User, Role: "senior_officer", Org: w.trust}, k, "k1")
	l.record(t, w.officer, a)
	b := signAs(t, l, agreement.Signatory{User: w.councilOfficer.User, Role: "delegate", Org: w.council}, k, "k1")
	b.Value[0] ^= 0xff
	keys := func(id string) (agreement.PublicKey, error) { return platformKey(id, k), nil }

	r := agreement.VerifySignatures(l.f, []agreement.Signature{a, b}, l.log, keys)
	assert.False(t, r.Valid)
	assert.Equal(t, agreement.SignatureCheck{Org: w.trust, User: w.officer.User, KeyID: "k1", Valid: true}, r.Checks[0])
	assert.Equal(t, w.council, r.Checks[1].Org)
	assert.Equal(t, w.councilOfficer.User, r.Checks[1].User)
	assert.False(t, r.Checks[1].Valid)
	assert.Equal(t, agreement.CodeSignatureInvalid, r.Checks[1].Code)
	assert.NotEmpty(t, r.Checks[1].Reason)

	assert.True(t, agreement.VerifySignatures(l.f, []agreement.Signature{a}, l.log, keys).Valid)
	none := agreement.VerifySignatures(l.f, nil, l.log, keys)
	assert.False(t, none.Valid, "no signature is nothing verified")
	assert.Empty(t, none.Checks)
	assert.Equal(t, agreement.CodeSignatureUnknownKey, agreement.VerifySignatures(l.f, []agreement.Signature{a}, l.log, nil).Checks[0].Code)
}
