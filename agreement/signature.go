package agreement

import "time"

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
