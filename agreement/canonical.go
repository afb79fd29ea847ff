package agreement

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/gowebpki/jcs"

	"github.com/isgkit/gateway/isg/violation"
)

// CodeNotCanonicalJSON (ErrInvalid; SIGN-4): the bytes given to Canonicalize are not JSON that
// RFC 8785 can canonicalise (malformed, not I-JSON: a duplicate key, an invalid surrogate, a
// number outside IEEE 754 double range, nesting too deep).
const CodeNotCanonicalJSON = "canonical.invalid_json"

// Canonicalize returns the RFC 8785 (JSON Canonicalization Scheme) form of the JSON text b:
// object members sorted by the UTF-16 code units of their names, no insignificant whitespace,
// strings and numbers serialised as ECMAScript's JSON.stringify does. It is the one
// canonicalisation of this package's signatures (SIGN-4), exposed so that hosts and other
// platforms can check their own encoder against it. The output is its own canonical form.
//
// Errors: ErrInvalid (CodeNotCanonicalJSON) for input RFC 8785 refuses.
func Canonicalize(b []byte) ([]byte, error) {
	if b == nil {
		b = []byte{}
	}
	out, err := jcs.Transform(b)
	if err != nil {
		return nil, violation.New(ErrInvalid, CodeNotCanonicalJSON, "SIGN-4", "not canonicalisable JSON (RFC 8785): "+err.Error())
	}
	return out, nil
}

// termsFields are the members of FlowTerms's JSON left out of the canonical terms: the list of
// parties and the sides, so that adding a party, a merge or a withdrawal leaves the terms hash,
// and so every signature, as it is (FLOW-12).
var termsFields = [...]string{"parties", "from", "to"}

// CanonicalTerms returns the canonical form of a flow's terms, the bytes TermsHash hashes and a
// signature is bound to (SIGN-4). It is the RFC 8785 canonical form of the JSON object
//
//	{"flow": <flow ID>, "summary": <summary ID>, "terms": <terms>}
//
// where the IDs are lowercase hyphenated UUID strings and <terms> is the flow's FlowTerms as
// encoding/json encodes it (the members named by the json tags of FlowTerms; those tagged
// omitempty are absent when empty) with the members "parties", "from" and "to" removed. The
// parties are left out so that adding a party (FLOW-12), a merge (ORG-6) or a withdrawal leaves
// existing signatures valid; every other term is covered, so changing any of them after
// signing is detected.
//
// The layout is versioned by SignatureFormat: a field added to FlowTerms must be tagged
// omitempty (or omitzero), so that the terms of every flow that does not use it, and so their
// hash, stay as they were. The committed test vectors (testdata/vectors) fail when the form
// drifts. docs/signatures.md describes it byte for byte.
//
// Errors: ErrInvalid (CodeNotCanonicalJSON) only if the encoding could not be canonicalised,
// which the types of FlowTerms rule out.
func CanonicalTerms(f Flow) ([]byte, error) {
	t := f.FlowTerms
	t.Parties, t.From, t.To = nil, nil, nil
	enc, err := json.Marshal(t)
	if err != nil {
		return nil, violation.New(ErrInvalid, CodeNotCanonicalJSON, "SIGN-4", "the flow's terms do not encode: "+err.Error())
	}
	// RFC 8785 orders members itself, so the object is assembled in any order and handed over.
	var terms map[string]json.RawMessage
	if err := json.Unmarshal(enc, &terms); err != nil {
		return nil, violation.New(ErrInvalid, CodeNotCanonicalJSON, "SIGN-4", "the flow's terms do not decode: "+err.Error())
	}
	for _, k := range termsFields {
		delete(terms, k)
	}
	b, err := json.Marshal(struct {
		Flow    FlowID                     `json:"flow"`
		Summary SummaryID                  `json:"summary"`
		Terms   map[string]json.RawMessage `json:"terms"`
	}{f.ID, f.SummaryID, terms})
	if err != nil {
		return nil, violation.New(ErrInvalid, CodeNotCanonicalJSON, "SIGN-4", "the flow's terms do not encode: "+err.Error())
	}
	return Canonicalize(b)
}

// TermsHash is the hash a signature of the flow is bound to (SIGN-4, FLOW-12): the lowercase hex
// SHA-256 of CanonicalTerms(f), 64 characters.
//
// Errors: those of CanonicalTerms.
func TermsHash(f Flow) (string, error) {
	b, err := CanonicalTerms(f)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
