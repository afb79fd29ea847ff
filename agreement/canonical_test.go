package agreement_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/agreement"
)

// TestCanonicalizeRFC8785: SIGN-4 — the canonical form is RFC 8785's: the RFC's own example
// (sorted members, ECMAScript numbers, minimal string escapes) comes out byte for byte, and
// input that is not I-JSON is refused with a typed error.
func TestCanonicalizeRFC8785(t *testing.T) {
	in := `{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
	got, err := agreement.Canonicalize([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, want, string(got))

	// Members sort by UTF-16 code units, not by code points: U+1F600 (a surrogate pair,
	// D83D DE00) comes before U+FF01.
	got, err = agreement.Canonicalize([]byte(`{"\uff01":1,"😀":2,"a":3}`))
	require.NoError(t, err)
	assert.Equal(t, `{"a":3,"😀":2,"！":1}`, string(got))

	for _, bad := range []string{``, `{`, `{"a":1,"a":2}`, `"\ud800"`, `[1e400]`, `{} x`} {
		_, err := agreement.Canonicalize([]byte(bad))
		assert.Equal(t, agreement.CodeNotCanonicalJSON, codeOf(t, err), "%q", bad)
		assert.ErrorIs(t, err, agreement.ErrInvalid)
	}
	_, err = agreement.Canonicalize(nil)
	assert.Equal(t, agreement.CodeNotCanonicalJSON, codeOf(t, err))
}

// TestCanonicalTermsLayoutSIGN4: SIGN-4, FLOW-12 — the canonical terms are the object {flow,
// summary, terms}, the terms being FlowTerms's JSON without parties, from and to, in RFC 8785
// form; TermsHash is the SHA-256 of exactly those bytes.
func TestCanonicalTermsLayoutSIGN4(t *testing.T) {
	w, _, l := finalised(t)
	b, err := agreement.CanonicalTerms(l.f)
	require.NoError(t, err)
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, []string{"flow", "summary", "terms"}, keysOf(doc))
	assert.JSONEq(t, `"`+l.f.ID.String()+`"`, string(doc["flow"]))
	assert.JSONEq(t, `"`+l.f.SummaryID.String()+`"`, string(doc["summary"]))
	var terms map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(doc["terms"], &terms))
	for _, k := range []string{"parties", "from", "to"} {
		assert.NotContains(t, terms, k)
	}
	for _, k := range []string{"name", "direction", "frequency", "transfer_mode", "controls", "personal_data",
		"special_category_data", "law_enforcement_data", "legal_bases", "privacy_answers"} {
		assert.Contains(t, terms, k)
	}
	again, err := agreement.Canonicalize(b)
	require.NoError(t, err)
	assert.Equal(t, b, again, "the canonical form is its own canonical form")

	sum := sha256.Sum256(b)
	h, err := agreement.TermsHash(l.f)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(sum[:]), h)

	// Nothing but the terms counts: the state, reviews, signatures and log are not terms.
	other := l.f.Clone()
	other.State, other.Reviews, other.Log = agreement.Signed, nil, agreement.LogHead{}
	other.Signatures = []agreement.Signature{{Algorithm: "x"}}
	h2, err := agreement.TermsHash(other)
	require.NoError(t, err)
	assert.Equal(t, h, h2)
	_ = w
}

func keysOf(m map[string]json.RawMessage) []string {
	var out []string
	for _, k := range []string{"flow", "summary", "terms"} {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	if len(out) != len(m) {
		out = append(out, "<other members>")
	}
	return out
}

// TestTermsHashPropertiesSIGN4: SIGN-4, FLOW-12 (property) — for any terms, any lists of parties
// and sides leave the hash unchanged, and changing any one term changes it.
func TestTermsHashPropertiesSIGN4(t *testing.T) {
	orgs := rapid.Custom(func(t *rapid.T) []agreement.OrgID {
		n := rapid.IntRange(0, 5).Draw(t, "n")
		out := make([]agreement.OrgID, n)
		for i := range out {
			out[i] = agreement.OrgID{UUID: uuid.UUID{15: rapid.Byte().Draw(t, "org")}}
		}
		return out
	})
	text := rapid.StringMatching(`[a-zé😀<&"\\\x{2028}]{0,8}`)
	rapid.Check(t, func(t *rapid.T) {
		f := agreement.Flow{ID: agreement.FlowID{UUID: uuid.UUID{1}}, SummaryID: agreement.SummaryID{UUID: uuid.UUID{2}}, Rev: 1}
		f.Name = text.Draw(t, "name")
		f.Direction = agreement.Direction(rapid.SampledFrom([]string{"one_way", "two_way"}).Draw(t, "dir"))
		f.Frequency = agreement.Frequency(text.Draw(t, "freq"))
		f.TransferDetails = text.Draw(t, "details")
		f.Controls = rapid.SliceOfN(text, 1, 4).Draw(t, "controls")
		f.PersonalData = rapid.Bool().Draw(t, "pd")
		f.PrivacyAnswers = rapid.MapOfN(text, text, 0, 3).Draw(t, "answers")
		h, err := agreement.TermsHash(f)
		require.NoError(t, err)

		moved := f
		moved.Parties, moved.From, moved.To = orgs.Draw(t, "parties"), orgs.Draw(t, "from"), orgs.Draw(t, "to")
		hm, err := agreement.TermsHash(moved)
		require.NoError(t, err)
		assert.Equal(t, h, hm, "FLOW-12: parties are not terms")

		changed := f
		changed.Controls = append([]string{}, f.Controls...)
		switch rapid.IntRange(0, 4).Draw(t, "which") {
		case 0:
			changed.Name += "x"
		case 1:
			changed.PersonalData = !f.PersonalData
		case 2:
			changed.Controls[0] += "x"
		case 3:
			changed.TransferDetails += "x"
		case 4:
			changed.PrivacyAnswers = map[string]string{"q": "a"}
			if len(f.PrivacyAnswers) == 1 && f.PrivacyAnswers["q"] == "a" {
				changed.PrivacyAnswers = nil
			}
		}
		hc, err := agreement.TermsHash(changed)
		require.NoError(t, err)
		assert.NotEqual(t, h, hc, "SIGN-4: a changed term changes the hash")
	})
}

// FuzzCanonicalize: SIGN-4 — the canonical encoder never panics on arbitrary bytes, and what it
// accepts it maps to a fixed point: canonicalising its output again changes nothing.
func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"b":1,"a":[true,null,"x"]}`, `1E30`, `"\u20ac"`, `{"\uff01":1,"😀":2}`,
		`[0.000000000000000000000000001, -0, 1e-7, 123456789012345678901]`, `{"a":{"b":{"c":[{}]}}}`, "\"\xff\"", `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := agreement.Canonicalize(b)
		if err != nil {
			if codeOf(t, err) != agreement.CodeNotCanonicalJSON {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("canonical output is not JSON: %q", out)
		}
		again, err := agreement.Canonicalize(out)
		if err != nil {
			t.Fatalf("canonical output refused: %v (%q)", err, out)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("not idempotent:\n%q\n%q", out, again)
		}
	})
}
