package agreement_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

const signatureVectorFile = "../testdata/vectors/signature_ed25519.json"

// signatureVector is the layout of testdata/vectors/signature_ed25519.json: inputs (the flow
// record as stored, its log, the signatory, the time, the test key's seed) and every value
// derived from them, so another platform can recompute each step byte for byte.
type signatureVector struct {
	Format  string `json:"format"`
	Warning string `json:"warning"`
	// Flow is the flow record as the Gateway stores it (input).
	Flow json.RawMessage `json:"flow"`
	// Log is the flow's transaction log, oldest entry first (input; LOG-2 vectors are in
	// testdata/agreement/log_vectors.json).
	Log []agreement.LogEntry `json:"log"`
	// TermsMembers are the members of the flow record that are its terms, in FlowTerms order.
	TermsMembers []string `json:"terms_members"`
	// CanonicalTerms is CanonicalTerms(flow), as a string (it is UTF-8).
	CanonicalTerms string `json:"canonical_terms"`
	TermsHash      string `json:"terms_hash"`
	// Signatory, SignedAt and Key.ID are the other inputs of the statement.
	Signatory agreement.Signatory `json:"signatory"`
	SignedAt  time.Time           `json:"signed_at"`
	Key       vectorKey           `json:"key"`
	// Statement is the statement's JSON; SigningInput its RFC 8785 form, the bytes signed.
	Statement    json.RawMessage `json:"statement"`
	SigningInput string          `json:"signing_input"`
	// Signature is the Signature as stored on the flow.
	Signature json.RawMessage `json:"signature"`
	// Checks are changes to the flow record or its log after signing and the verdict each gets.
	Checks []vectorCheck `json:"checks"`
}

type vectorKey struct {
	ID        string `json:"id"`
	Algorithm string `json:"algorithm"`
	// SeedHex is the 32-byte Ed25519 private key seed (RFC 8032 section 7.1, TEST 1): a
	// published test key, never to be used for anything else.
	SeedHex      string `json:"seed_hex"`
	PublicKeyHex string `json:"public_key_hex"`
}

type vectorCheck struct {
	Description string `json:"description"`
	// FlowPatch replaces (or adds) members of the flow record.
	FlowPatch map[string]json.RawMessage `json:"flow_patch,omitempty"`
	// DropSeqs removes the log entries of these sequence numbers; with Rechain the rest are
	// renumbered, rehashed (EntryHash) and the flow's log head rewritten to match, as a forger
	// covering their tracks would.
	DropSeqs []int64 `json:"drop_seqs,omitempty"`
	Rechain  bool    `json:"rechain,omitempty"`
	// Code is the expected error code, or "" when the signature still verifies.
	Code string `json:"code"`
}

var vectorTermsMembers = []string{"name", "direction", "frequency", "transfer_mode", "transfer_details", "controls",
	"personal_data", "special_category_data", "law_enforcement_data", "legal_bases", "privacy_answers", "assets"}

// vectorInputs builds the vector's inputs from constants of their own, so that no fixture
// shared with other tests moves them.
func vectorInputs(t *testing.T) (agreement.Flow, []agreement.LogEntry, agreement.Signatory, time.Time, ed25519.PrivateKey, string) {
	t.Helper()
	id := func(s string) uuid.UUID { return uuid.MustParse(s) }
	trust := agreement.OrgID{UUID: id("0190a1b2-c3d4-7e5f-8a9b-00000000a001")}
	council := agreement.OrgID{UUID: id("0190a1b2-c3d4-7e5f-8a9b-00000000a002")}
	officer := agreement.Actor{User: agreement.UserID{UUID: id("0190a1b2-c3d4-7e5f-8a9b-00000000b001")}, Org: trust}
	dpo := agreement.Actor{User: agreement.UserID{UUID: id("0190a1b2-c3d4-7e5f-8a9b-00000000b002")}, Org: council}
	at := time.Date(2026, 2, 2, 9, 30, 0, 0, time.UTC)
	s, err := agreement.NewSummary(agreement.SummaryID{UUID: id("0190a1b2-c3d4-7e5f-8a9b-00000000c001")}, officer, at, agreement.SummaryTerms{
		Title: "Safeguarding", Organisations: []agreement.OrgID{trust, council}, DataAsset: "Referrals",
		Purpose: "Protect children", Benefits: "Earlier help", Format: "Electronic", ReviewCycleMonths: 12,
		InformationShared: []agreement.InfoCategory{agreement.InfoPersonal}})
	require.NoError(t, err)
	f, err := agreement.NewFlow(agreement.FlowID{UUID: id("0190a1b2-c3d4-7e5f-8a9b-00000000d001")}, s, officer, at, agreement.FlowTerms{
		Name:      "Référrals <urgent> & \"same-day\"",
		Parties:   []agreement.OrgID{trust, council},
		Direction: agreement.OneWay, From: []agreement.OrgID{trust}, To: []agreement.OrgID{council},
		Frequency: agreement.Daily, TransferMode: agreement.SecureEmail,
		Controls:     []string{"Encrypted in transit (TLS 1.3)", "Role-based access \u2028 audited"},
		PersonalData: true,
		LegalBases:   []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Children Act 1989 s.47"}},
		// Keys that sort differently by UTF-16 code units (RFC 8785) than by code points.
		PrivacyAnswers: map[string]string{"q1": "yes", "\uff01": "fullwidth", "😀": "emoji", "é": "accent"},
	})
	require.NoError(t, err)
	m := agreement.NewFlowMachine()
	l := &logged{at: at}
	l.apply(t, officer, f)
	f, _, err = m.RequestReview(l.f, officer, l.at, agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: dpo.User, Org: council}}, ReviewBy: at.AddDate(0, 0, 14)})
	require.NoError(t, err)
	l.apply(t, officer, f)
	f, _, err = m.Approve(l.f, dpo, l.at, agreement.Verdict{Details: "Approved."})
	require.NoError(t, err)
	l.apply(t, dpo, f)
	f, _, err = m.Finalise(l.f, officer, l.at)
	require.NoError(t, err)
	l.apply(t, officer, f)
	seed, err := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	require.NoError(t, err)
	who := agreement.Signatory{User: officer.User, Role: "senior_officer", Org: trust}
	return l.f, l.log, who, time.Date(2026, 2, 3, 10, 11, 12, 500000000, time.UTC), ed25519.NewKeyFromSeed(seed), "isg-test-vector-key-1"
}

// derive computes every output of the vector from its inputs.
func derive(t *testing.T, f agreement.Flow, who agreement.Signatory, at time.Time, key ed25519.PrivateKey, keyID string) (canonical []byte, hash string, st agreement.Statement, input []byte, sig agreement.Signature) {
	t.Helper()
	canonical, err := agreement.CanonicalTerms(f)
	require.NoError(t, err)
	hash, err = agreement.TermsHash(f)
	require.NoError(t, err)
	st, err = agreement.NewStatement(f, who, at, keyID)
	require.NoError(t, err)
	input, err = st.SigningInput()
	require.NoError(t, err)
	sig, err = agreement.Sign(st, key, nil)
	require.NoError(t, err)
	return
}

func indentJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	return buf.Bytes()
}

func rawJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestSignatureVectorsSIGN4: SIGN-4, LOG-3, FLOW-12 — the committed vector
// (testdata/vectors/signature_ed25519.json) is recomputed from its own inputs byte for byte:
// the canonical terms (by this package and by the documented recipe over the stored record),
// their hash, the statement, its signing input, the test key's public half and the Ed25519
// signature; it verifies, and each listed change after signing gets the listed verdict. Any
// drift of the canonical form fails here. Regenerate deliberately with -update.
func TestSignatureVectorsSIGN4(t *testing.T) {
	if *update {
		f, log, who, at, key, keyID := vectorInputs(t)
		canonical, hash, st, input, sig := derive(t, f, who, at, key, keyID)
		flowJSON := rawJSON(t, f)
		v := signatureVector{
			Format: "ISG signature vectors, version 1 (SIGN-4, LOG-3, FLOW-12); see docs/signatures.md. " +
				"canonical_terms = RFC 8785 of {\"flow\": flow.id, \"summary\": flow.summary_id, \"terms\": the flow's terms_members present in the record}; " +
				"terms_hash = lowercase hex SHA-256 of canonical_terms; statement = {format, flow, summary, rev, signatory, signed_at, terms_hash, log_head: flow.log, key_id}; " +
				"signing_input = RFC 8785 of statement; signature.value = base64 Ed25519 signature of signing_input.",
			Warning:      "TEST KEY ONLY: the seed is RFC 8032's published TEST 1 key. Never use it to sign anything real.",
			Flow:         flowJSON,
			Log:          log,
			TermsMembers: vectorTermsMembers,
			TermsHash:    hash, CanonicalTerms: string(canonical),
			Signatory: who, SignedAt: at,
			Key: vectorKey{ID: keyID, Algorithm: agreement.AlgEd25519, SeedHex: hex.EncodeToString(key.Seed()),
				PublicKeyHex: hex.EncodeToString(key.Public().(ed25519.PublicKey))},
			Statement: rawJSON(t, st), SigningInput: string(input), Signature: rawJSON(t, sig),
			Checks: []vectorCheck{
				{Description: "unchanged: the signature verifies", Code: ""},
				{Description: "a party added (FLOW-12): parties are not terms, the signature still verifies",
					FlowPatch: map[string]json.RawMessage{
						"parties": json.RawMessage(`["0190a1b2-c3d4-7e5f-8a9b-00000000a001","0190a1b2-c3d4-7e5f-8a9b-00000000a002","0190a1b2-c3d4-7e5f-8a9b-00000000a003"]`),
						"to":      json.RawMessage(`["0190a1b2-c3d4-7e5f-8a9b-00000000a002","0190a1b2-c3d4-7e5f-8a9b-00000000a003"]`)},
					Code: ""},
				{Description: "the name changed after signing", FlowPatch: map[string]json.RawMessage{"name": json.RawMessage(`"Referrals"`)}, Code: agreement.CodeSignatureTermsChanged},
				{Description: "a privacy answer changed after signing", FlowPatch: map[string]json.RawMessage{
					"privacy_answers": json.RawMessage(`{"q1":"no","！":"fullwidth","😀":"emoji","é":"accent"}`)}, Code: agreement.CodeSignatureTermsChanged},
				{Description: "the content revision changed", FlowPatch: map[string]json.RawMessage{"rev": json.RawMessage(`2`)}, Code: agreement.CodeSignatureTermsChanged},
				{Description: "log entry 2 dropped and the chain and head recomputed (LOG-3)", DropSeqs: []int64{2}, Rechain: true, Code: agreement.CodeSignatureLogMismatch},
				{Description: "the last entry before signing dropped, chain and head recomputed (LOG-3)", DropSeqs: []int64{f.Log.Count}, Rechain: true, Code: agreement.CodeSignatureLogMismatch},
				{Description: "log entry 1 dropped, head kept (LOG-2)", DropSeqs: []int64{1}, Code: agreement.CodeSignatureLogMismatch},
			},
		}
		require.NoError(t, os.WriteFile(signatureVectorFile, indentJSON(t, v), 0o644))
	}

	raw, err := os.ReadFile(signatureVectorFile)
	require.NoError(t, err, "missing vector file; run with -update")
	var v signatureVector
	require.NoError(t, json.Unmarshal(raw, &v))

	var f agreement.Flow
	require.NoError(t, json.Unmarshal(v.Flow, &f))
	seed, err := hex.DecodeString(v.Key.SeedHex)
	require.NoError(t, err)
	key := ed25519.NewKeyFromSeed(seed)
	require.Equal(t, agreement.AlgEd25519, v.Key.Algorithm)
	assert.Equal(t, v.Key.PublicKeyHex, hex.EncodeToString(key.Public().(ed25519.PublicKey)), "public key")

	canonical, hash, st, input, sig := derive(t, f, v.Signatory, v.SignedAt, key, v.Key.ID)
	assert.Equal(t, v.CanonicalTerms, string(canonical), "canonical terms drifted: a change to FlowTerms or its encoding breaks every stored signature")
	assert.Equal(t, v.TermsHash, hash, "terms hash")
	assert.Equal(t, recipeTerms(t, v.Flow, v.TermsMembers), canonical, "the documented recipe over the stored record gives the same bytes")
	assert.Equal(t, vectorTermsMembers, v.TermsMembers)

	var fileStatement agreement.Statement
	require.NoError(t, json.Unmarshal(v.Statement, &fileStatement))
	assert.Equal(t, st, fileStatement, "statement")
	fromFile, err := agreement.Canonicalize(v.Statement)
	require.NoError(t, err)
	assert.Equal(t, v.SigningInput, string(fromFile), "signing input is RFC 8785 of the statement as written")
	assert.Equal(t, v.SigningInput, string(input), "signing input")
	assert.JSONEq(t, string(v.Signature), string(rawJSON(t, sig)), "signature")

	var fileSig agreement.Signature
	require.NoError(t, json.Unmarshal(v.Signature, &fileSig))
	assert.True(t, ed25519.Verify(key.Public().(ed25519.PublicKey), []byte(v.SigningInput), fileSig.Value), "plain Ed25519 over the signing input")
	pub := agreement.PublicKey{ID: v.Key.ID, Key: key.Public()}

	require.NotEmpty(t, v.Checks)
	for _, c := range v.Checks {
		t.Run(c.Description, func(t *testing.T) {
			var rec map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(v.Flow, &rec))
			for k, val := range c.FlowPatch {
				rec[k] = val
			}
			var g agreement.Flow
			require.NoError(t, json.Unmarshal(rawJSON(t, rec), &g))
			log := slices.DeleteFunc(slices.Clone(v.Log), func(e agreement.LogEntry) bool { return slices.Contains(c.DropSeqs, e.Seq) })
			if c.Rechain {
				log, g.Log = rechain(log)
			}
			err := agreement.VerifySignature(g, log, fileSig, pub)
			if c.Code == "" {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, c.Code, codeOf(t, err), "%v", err)
			}
		})
	}
}

// recipeTerms follows docs/signatures.md over the stored record, without this package's types:
// pick the terms members present in the record, wrap them with the flow and summary IDs and
// canonicalise.
func recipeTerms(t *testing.T, record json.RawMessage, terms []string) []byte {
	t.Helper()
	var rec map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(record, &rec))
	obj := map[string]any{"flow": rec["id"], "summary": rec["summary_id"]}
	picked := map[string]json.RawMessage{}
	for _, k := range terms {
		if val, ok := rec[k]; ok {
			picked[k] = val
		}
	}
	obj["terms"] = picked
	out, err := agreement.Canonicalize(rawJSON(t, obj))
	require.NoError(t, err)
	return out
}
