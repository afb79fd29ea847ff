package agreement

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// SignatureFormat names the version of the signed statement's layout (SIGN-4). A verifier refuses
// a statement of a format it does not know.
const SignatureFormat = "isg-signature/1"

// Signatory is who signs (SIGN-4): the user, the role by which they may sign off (ROLE-2: a
// Senior Officer, a delegate or an Information Asset Owner, by its stable role code) and the
// organisation they sign for.
type Signatory struct {
	User UserID `json:"user"`
	Role string `json:"role"`
	Org  OrgID  `json:"org"`
}

// Statement is what a signature signs (SIGN-4, LOG-3): the flow and its content revision, the
// signatory, the time, the hash of the flow's terms in canonical form, the flow's log head at
// signing and the ID of the key that signs. Its canonical bytes are the signing input.
type Statement struct {
	Format    string    `json:"format"`
	Flow      FlowID    `json:"flow"`
	Summary   SummaryID `json:"summary"`
	Rev       int64     `json:"rev"`
	Signatory Signatory `json:"signatory"`
	SignedAt  time.Time `json:"signed_at"`
	// TermsHash is the lowercase hex SHA-256 of the flow's canonical terms.
	TermsHash string `json:"terms_hash"`
	// LogHead is the flow's log head just before the signature was recorded.
	LogHead LogHead `json:"log_head"`
	KeyID   string  `json:"key_id"`
}

// Signature is one organisation's signature of a flow (SIGN-2, SIGN-4): the statement, the
// algorithm and the signature value over the statement's canonical bytes.
type Signature struct {
	Statement Statement `json:"statement"`
	Algorithm string    `json:"algorithm"`
	Value     []byte    `json:"value"`
	// Late is set when the signature was made after a sign-by date that was not enforced (SIGN-3).
	Late bool `json:"late,omitempty"`
}

// The algorithms a signature may be made with (SIGN-4), by the name recorded in
// Signature.Algorithm. The names are stable. The signing input is always the statement's
// canonical bytes (Statement.SigningInput); what the key signs is:
//
//   - AlgEd25519: the signing input itself (pure Ed25519, RFC 8032; crypto.Hash(0) for a
//     crypto.Signer); the value is the 64-byte signature.
//   - AlgECDSAP256SHA256: the SHA-256 digest of the signing input, with a P-256 key; the value is
//     the ASN.1 DER encoding of (r, s), as crypto/ecdsa, X.509 and most HSMs and KMSs give it.
//   - AlgRSAPSSSHA256: the SHA-256 digest of the signing input, with RSASSA-PSS (RFC 8017),
//     MGF1 with SHA-256 and a salt as long as the digest (32 bytes), and a key of at least 2048
//     bits; the value is the signature, as long as the modulus. PSS rather than PKCS #1 v1.5:
//     it is the scheme current European guidance (the SOG-IS Agreed Cryptographic Mechanisms)
//     prefers for new signatures, and the cloud KMSs offer it with exactly these parameters.
const (
	AlgEd25519         = "Ed25519"
	AlgECDSAP256SHA256 = "ECDSA-P256-SHA256"
	AlgRSAPSSSHA256    = "RSA-PSS-SHA256"
)

// minRSABits is the smallest RSA modulus accepted for signing or verifying.
const minRSABits = 2048

// maxExactInt is the largest integer an RFC 8785 number holds exactly (2^53): the statement's
// numbers must not exceed it, or two platforms could read the same canonical bytes differently.
const maxExactInt = 1 << 53

// maxKeyID bounds a key ID, which is copied into every statement.
const maxKeyID = 256

// Error codes of signatures (SIGN-4, LOG-3). A verifier's refusal carries one of them, so a host
// can say which signature failed and why.
const (
	// CodeSignatureMalformed (ErrInvalid; SIGN-4): the signature or its statement is not well
	// formed: a required field is empty, a hash is not 64 lowercase hex digits, a number is out of
	// range, or the statement cannot be encoded.
	CodeSignatureMalformed = "signature.malformed"
	// CodeSignatureUnknownFormat (ErrRule; SIGN-4): the statement's format is not one this
	// version knows (SignatureFormat).
	CodeSignatureUnknownFormat = "signature.unknown_format"
	// CodeSignatureWrongFlow (ErrRule; SIGN-4): the statement is of another flow or summary.
	CodeSignatureWrongFlow = "signature.wrong_flow"
	// CodeSignatureUnknownKey (ErrRule; SIGN-4): no public key is known by the statement's key
	// ID (or the key found carries another ID).
	CodeSignatureUnknownKey = "signature.unknown_key"
	// CodeSignatureKeyNotSignatory (ErrRule; SIGN-4): the key belongs to another user or
	// organisation than the statement's signatory.
	CodeSignatureKeyNotSignatory = "signature.key_not_signatory"
	// CodeSignatureUnsupportedKey (ErrInvalid; SIGN-4): the key is of a type or size no
	// algorithm here signs with (an Ed25519, P-256 ECDSA or ≥ 2048-bit RSA key is needed).
	CodeSignatureUnsupportedKey = "signature.unsupported_key"
	// CodeSignatureInvalid (ErrRule; SIGN-4): the signature value does not verify over the
	// statement under the key, or was made with another algorithm than the key's.
	CodeSignatureInvalid = "signature.invalid"
	// CodeSignatureTermsChanged (ErrRule; SIGN-4): the flow's terms (or content revision) are no
	// longer those signed.
	CodeSignatureTermsChanged = "signature.terms_changed"
	// CodeSignatureLogMismatch (ErrRule; LOG-3): the flow's log does not verify, or no longer
	// holds the entry the statement's log head names: entries were dropped or rewritten after
	// signing.
	CodeSignatureLogMismatch = "signature.log_mismatch"
)

// NewStatement builds the statement a signatory signs for flow f (SIGN-4): the flow and its
// summary, its content revision, the signatory, the time in UTC, the hash of the flow's terms
// (TermsHash), the flow's log head as f holds it — pass the flow as stored, before the
// signature is recorded — and the ID of the key that will sign, under SignatureFormat. Whether
// the flow may be signed (finalised, the signatory asked to sign) is the state machine's to
// check, not this function's.
//
// Errors: ErrInvalid with field errors (SIGN-4) for a zero flow or summary ID, a signatory
// without user, organisation or role, an empty or over-long key ID, a zero time, or a revision
// or log count beyond what RFC 8785 numbers hold exactly (2^53).
func NewStatement(f Flow, who Signatory, at time.Time, keyID string) (Statement, error) {
	var bad []FieldError
	req := func(field string, missing bool) {
		if missing {
			bad = append(bad, fieldErr(field, "required", "SIGN-4", "is required"))
		}
	}
	req("flow", f.ID.IsZero())
	req("summary", f.SummaryID.IsZero())
	req("signatory.user", who.User.IsZero())
	req("signatory.org", who.Org.IsZero())
	req("signatory.role", who.Role == "")
	req("key_id", keyID == "")
	req("signed_at", at.IsZero())
	if len(keyID) > maxKeyID {
		bad = append(bad, fieldErr("key_id", "max", "SIGN-4", "must be at most 256 bytes"))
	}
	if f.Rev < 0 || f.Rev > maxExactInt {
		bad = append(bad, fieldErr("rev", "max", "SIGN-4", "must be between 0 and 2^53"))
	}
	if f.Log.Count < 0 || f.Log.Count > maxExactInt {
		bad = append(bad, fieldErr("log_head.count", "max", "SIGN-4", "must be between 0 and 2^53"))
	}
	if len(bad) > 0 {
		return Statement{}, violation.Invalid(bad...)
	}
	hash, err := TermsHash(f)
	if err != nil {
		return Statement{}, err
	}
	return Statement{
		Format: SignatureFormat, Flow: f.ID, Summary: f.SummaryID, Rev: f.Rev, Signatory: who,
		SignedAt: at.UTC(), TermsHash: hash, LogHead: f.Log, KeyID: keyID,
	}, nil
}

// SigningInput returns the bytes a signature signs (SIGN-4): the RFC 8785 canonical form of the
// statement's JSON encoding (members format, flow, summary, rev, signatory{user, role, org},
// signed_at as RFC 3339 with nanoseconds in UTC, terms_hash, log_head{count, last — absent for
// an empty log}, key_id), which sorts the members by name. docs/signatures.md shows it byte
// for byte.
//
// Errors: ErrInvalid (CodeSignatureMalformed) for a statement that does not encode (a time
// outside years 0–9999).
func (s Statement) SigningInput() ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, malformed("the statement does not encode: " + err.Error())
	}
	out, err := Canonicalize(b)
	if err != nil {
		return nil, malformed(err.Error())
	}
	return out, nil
}

// PublicKey is a verification key as a key ring knows it (SIGN-4): its ID, the key, and whom it
// belongs to. A key with a User signs only for that user, and one with an Org only for that
// organisation, so a key of another signatory or party never verifies; a key with neither is a
// platform key that may sign for any signatory (the Gateway's default, embedded set-up).
type PublicKey struct {
	ID string
	// Key is an ed25519.PublicKey, a P-256 *ecdsa.PublicKey or an *rsa.PublicKey of at least
	// 2048 bits.
	Key crypto.PublicKey
	// User, when set, is the only signatory user the key signs for (a smartcard, a per-user KMS
	// key: signature creation data under the signatory's sole control).
	User UserID
	// Org, when set, is the only organisation the key signs for.
	Org OrgID
}

// SignatureOptions says how to sign with a key whose public half is pub, so that any
// crypto.Signer (an in-memory key, an HSM, a KMS) signs correctly (SIGN-4): the algorithm name
// to record, the options for crypto.Signer.Sign, and the function that turns the signing input
// into what Sign is given (the input itself for Ed25519, its SHA-256 digest otherwise).
//
// Errors: ErrInvalid (CodeSignatureUnsupportedKey) for a key that is not Ed25519, P-256 ECDSA or
// RSA of at least 2048 bits.
func SignatureOptions(pub crypto.PublicKey) (alg string, opts crypto.SignerOpts, digest func([]byte) []byte, err error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			break
		}
		return AlgEd25519, crypto.Hash(0), func(b []byte) []byte { return b }, nil
	case *ecdsa.PublicKey:
		if k == nil || k.Curve != elliptic.P256() {
			break
		}
		return AlgECDSAP256SHA256, crypto.SHA256, sha256Of, nil
	case *rsa.PublicKey:
		if k == nil || k.N == nil || k.N.BitLen() < minRSABits {
			break
		}
		return AlgRSAPSSSHA256, pssOptions, sha256Of, nil
	}
	return "", nil, nil, violation.New(ErrInvalid, CodeSignatureUnsupportedKey, "SIGN-4",
		fmt.Sprintf("a %T key is not one a signature is made with: use Ed25519, ECDSA P-256 or RSA of at least 2048 bits", pub))
}

var pssOptions = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}

func sha256Of(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// Sign signs the statement with signer (SIGN-4) and returns the signature: the algorithm follows
// from signer.Public() (see SignatureOptions), rand is handed to signer.Sign (crypto/rand.Reader
// in production; Ed25519 does not use it). The statement's KeyID must be the ID under which the
// key ring knows signer's public key. This package does no I/O: a signer that is an HSM or a
// KMS does its own.
//
// Errors: those of SigningInput and SignatureOptions; the signer's own error, wrapped.
func Sign(st Statement, signer crypto.Signer, rand io.Reader) (Signature, error) {
	if signer == nil {
		return Signature{}, violation.New(ErrInvalid, CodeSignatureUnsupportedKey, "SIGN-4", "no signer")
	}
	in, err := st.SigningInput()
	if err != nil {
		return Signature{}, err
	}
	alg, opts, digest, err := SignatureOptions(signer.Public())
	if err != nil {
		return Signature{}, err
	}
	v, err := signer.Sign(rand, digest(in), opts)
	if err != nil {
		return Signature{}, fmt.Errorf("agreement: signing with key %q: %w", st.KeyID, err)
	}
	return Signature{Statement: st, Algorithm: alg, Value: v}, nil
}

func malformed(msg string) *Error {
	return violation.New(ErrInvalid, CodeSignatureMalformed, "SIGN-4", msg)
}

func refused(code, rule, msg string) *Error { return violation.New(ErrRule, code, rule, msg) }

// isHash reports whether s is 64 lowercase hex digits, as every hash here is written.
func isHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// VerifyStatement checks a signature on its own, without the flow (SIGN-4): the format is known,
// the statement is well formed, key is the one the statement names, it belongs to the
// signatory (its User and Org, where set), and the value verifies over the statement's signing
// input under it with the key's algorithm. VerifySignature does this and then holds the
// statement against the flow and its log; the Gateway uses it alone to check a signature it has
// just made.
//
// Errors: an *Error with CodeSignatureUnknownFormat, CodeSignatureMalformed,
// CodeSignatureUnknownKey, CodeSignatureKeyNotSignatory, CodeSignatureUnsupportedKey or
// CodeSignatureInvalid.
func VerifyStatement(sig Signature, key PublicKey) error {
	st := &sig.Statement
	if st.Format != SignatureFormat {
		return refused(CodeSignatureUnknownFormat, "SIGN-4", fmt.Sprintf("statement format %q is not %q", st.Format, SignatureFormat))
	}
	if err := wellFormed(sig); err != nil {
		return err
	}
	if key.ID != st.KeyID || key.Key == nil {
		return refused(CodeSignatureUnknownKey, "SIGN-4", fmt.Sprintf("no public key is known by ID %q", st.KeyID))
	}
	if !key.User.IsZero() && key.User != st.Signatory.User {
		return refused(CodeSignatureKeyNotSignatory, "SIGN-4", fmt.Sprintf("key %q belongs to another user than the signatory", key.ID))
	}
	if !key.Org.IsZero() && key.Org != st.Signatory.Org {
		return refused(CodeSignatureKeyNotSignatory, "SIGN-4", fmt.Sprintf("key %q belongs to another organisation than the signatory's", key.ID))
	}
	alg, _, digest, err := SignatureOptions(key.Key)
	if err != nil {
		return err
	}
	if alg != sig.Algorithm {
		return refused(CodeSignatureInvalid, "SIGN-4", fmt.Sprintf("made with %q, but key %q is an %s key", sig.Algorithm, key.ID, alg))
	}
	in, err := st.SigningInput()
	if err != nil {
		return err
	}
	if !verifyValue(key.Key, digest(in), sig.Value) {
		return refused(CodeSignatureInvalid, "SIGN-4", fmt.Sprintf("the %s signature value does not verify under key %q", alg, key.ID))
	}
	return nil
}

// verifyValue checks a signature value under a key SignatureOptions accepted.
func verifyValue(pub crypto.PublicKey, msg, value []byte) bool {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return ed25519.Verify(k, msg, value)
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, msg, value)
	case *rsa.PublicKey:
		return rsa.VerifyPSS(k, crypto.SHA256, msg, value, pssOptions) == nil
	}
	return false
}

// wellFormed checks what a statement must hold whatever the flow.
func wellFormed(sig Signature) error {
	st := &sig.Statement
	var missing []string
	for _, f := range []struct {
		name  string
		empty bool
	}{
		{"flow", st.Flow.IsZero()}, {"summary", st.Summary.IsZero()},
		{"signatory.user", st.Signatory.User.IsZero()}, {"signatory.org", st.Signatory.Org.IsZero()},
		{"signatory.role", st.Signatory.Role == ""}, {"signed_at", st.SignedAt.IsZero()},
		{"key_id", st.KeyID == ""}, {"algorithm", sig.Algorithm == ""}, {"value", len(sig.Value) == 0},
	} {
		if f.empty {
			missing = append(missing, f.name)
		}
	}
	switch {
	case len(missing) > 0:
		return malformed("the signature has no " + strings.Join(missing, ", "))
	case len(st.KeyID) > maxKeyID:
		return malformed("the key ID is longer than 256 bytes")
	case !isHash(st.TermsHash):
		return malformed("the terms hash is not 64 lowercase hex digits")
	case st.Rev < 0 || st.Rev > maxExactInt || st.LogHead.Count < 0 || st.LogHead.Count > maxExactInt:
		return malformed("the revision or the log head's count is out of range")
	case st.LogHead.Count == 0 && st.LogHead.Last != "":
		return malformed("the log head of an empty log names a last entry")
	case st.LogHead.Count > 0 && !isHash(st.LogHead.Last):
		return malformed("the log head's last hash is not 64 lowercase hex digits")
	}
	return nil
}

// flowCheck holds what verifying signatures of one flow shares: the terms hash and the log's
// verdict, computed once however many signatures there are.
type flowCheck struct {
	f         Flow
	log       []LogEntry
	termsHash string
	termsErr  error
	logErr    error
}

func newFlowCheck(f Flow, log []LogEntry) *flowCheck {
	c := &flowCheck{f: f, log: log}
	c.termsHash, c.termsErr = TermsHash(f)
	c.logErr = Verify(f.Log, log)
	return c
}

// verify is VerifySignature against the shared checks.
func (c *flowCheck) verify(sig Signature, key PublicKey) error {
	if err := VerifyStatement(sig, key); err != nil {
		return err
	}
	st := &sig.Statement
	if st.Flow != c.f.ID || st.Summary != c.f.SummaryID {
		return refused(CodeSignatureWrongFlow, "SIGN-4", "the statement is of flow "+st.Flow.String()+" under summary "+st.Summary.String())
	}
	switch {
	case c.termsErr != nil:
		return c.termsErr
	case st.TermsHash != c.termsHash:
		return refused(CodeSignatureTermsChanged, "SIGN-4", "the flow's terms are not those signed: their hash is "+c.termsHash+", the signed one "+st.TermsHash)
	case st.Rev != c.f.Rev:
		return refused(CodeSignatureTermsChanged, "SIGN-4", fmt.Sprintf("the flow is at content revision %d, the signed one is %d", c.f.Rev, st.Rev))
	}
	if c.logErr != nil {
		return refused(CodeSignatureLogMismatch, "LOG-3", "the flow's log does not verify: "+c.logErr.Error())
	}
	head := st.LogHead
	switch {
	case head.Count > int64(len(c.log)):
		return refused(CodeSignatureLogMismatch, "LOG-3", fmt.Sprintf("the log has %d entries, fewer than the %d it had at signing (entries dropped)", len(c.log), head.Count))
	case head.Count > 0 && c.log[head.Count-1].Hash != head.Last:
		return refused(CodeSignatureLogMismatch, "LOG-3", fmt.Sprintf("entry %d is not the one signed (entries dropped or rewritten after signing)", head.Count))
	}
	return nil
}

// VerifySignature recomputes everything a signature of flow f stands for (SIGN-4, LOG-3), with
// key the public key the statement's key ID resolves to:
//
//   - the statement on its own (VerifyStatement): its format is known, it is well formed, key is
//     the key it names and belongs to the signatory, and the value verifies under it;
//   - it is a statement of f: same flow and summary;
//   - the terms signed are f's terms now: the terms hash equals TermsHash(f) and the content
//     revision f.Rev, so changing any term after signing fails (the parties are not terms, so
//     adding one does not: FLOW-12);
//   - the log signed is f's log: log, oldest entry first, verifies as a chain against f.Log
//     (Verify), and its entry at the statement's log head count has the head's hash (an empty
//     head: any log), so dropping entries after a signature and rewriting the head — even with
//     the chain recomputed — is detected.
//
// Errors: nil when the signature verifies; else an *Error: those of VerifyStatement, then
// CodeSignatureWrongFlow, CodeSignatureTermsChanged (rule SIGN-4) or CodeSignatureLogMismatch
// (rule LOG-3), in that order of checking.
func VerifySignature(f Flow, log []LogEntry, sig Signature, key PublicKey) error {
	return newFlowCheck(f, log).verify(sig, key)
}

// SignatureReport is the result of verifying a flow's signatures (SIGN-4): one check per
// signature, in the order given.
type SignatureReport struct {
	// Valid is true when there is at least one signature and every one verifies.
	Valid  bool             `json:"valid"`
	Checks []SignatureCheck `json:"checks"`
}

// SignatureCheck names one signature — its signatory and key — and whether it verified; if not,
// the error code (one of the CodeSignature… codes) and the reason.
type SignatureCheck struct {
	Org    OrgID  `json:"org"`
	User   UserID `json:"user"`
	KeyID  string `json:"key_id"`
	Valid  bool   `json:"valid"`
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// VerifySignatures verifies each signature of sigs against flow f and its log (oldest entry
// first) as VerifySignature does, resolving each statement's key ID with keys, and reports on
// each (SIGN-4, LOG-3). The terms hash and the log are checked once for all of them. A keys
// error counts as CodeSignatureUnknownKey for that signature, its text the reason: resolve
// keys that may fail for other reasons (a store) beforehand.
func VerifySignatures(f Flow, sigs []Signature, log []LogEntry, keys func(keyID string) (PublicKey, error)) SignatureReport {
	c := newFlowCheck(f, log)
	r := SignatureReport{Valid: len(sigs) > 0, Checks: make([]SignatureCheck, len(sigs))}
	for i, sig := range sigs {
		st := &sig.Statement
		ch := SignatureCheck{Org: st.Signatory.Org, User: st.Signatory.User, KeyID: st.KeyID, Valid: true}
		var err error
		if keys == nil {
			err = refused(CodeSignatureUnknownKey, "SIGN-4", "no key ring to resolve key "+strconv.Quote(st.KeyID))
		} else if key, kerr := keys(st.KeyID); kerr != nil {
			err = refused(CodeSignatureUnknownKey, "SIGN-4", "key "+strconv.Quote(st.KeyID)+": "+kerr.Error())
		} else {
			err = c.verify(sig, key)
		}
		if err != nil {
			ch.Valid, ch.Code, ch.Reason = false, violation.Code(err), reason(err)
			r.Valid = false
		}
		r.Checks[i] = ch
	}
	return r
}

// reason is an error's message without its code and rule, which a check carries apart.
func reason(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}
