package isg

// Links between the foundation and the features built on it (agreements). Each is
// completed where its feature lands.

// partnersOf lists the organisations org shares with: those named with it in a summary or flow (ASR-5).
func (u *uow) partnersOf(org OrgID) ([]OrgID, error) { return nil, nil }

// requireAgreementVisible refuses a summary or flow the actor's organisation may not see (SUM-3).
func (u *uow) requireAgreementVisible(actor Actor, kind, id string) error {
	return &Error{Kind: ErrNotFound, Code: "document.subject_not_found", Rule: "DOC-1", Message: "no such " + kind}
}
