package dpia

import "github.com/isgkit/gateway/isg/violation"

// CodeNotExportable (ErrInvalidTransition; EXIT-2): only an approved DPIA (Approved, or
// ReviewDue: approved and its review date come) is exported as a document; one still being
// written or awaiting approval, a superseded version or a closed one is not.
const CodeNotExportable = "dpia.not_exportable"

// CheckExport says whether d may be exported as a document (EXIT-2): it must be approved, so that
// the document records an assessment its approvers signed off, and the version in force — not a
// superseded or closed one. The Gateway has already answered a DPIA the actor does not
// contribute to exactly as an unknown ID (DPIA-2) and checked the licence (LIC-3).
//
// Errors: ErrInvalidTransition (CodeNotExportable).
func CheckExport(d DPIA) error {
	switch d.State {
	case Approved, ReviewDue:
		return nil
	}
	return violation.New(ErrInvalidTransition, CodeNotExportable, "EXIT-2",
		"only an approved DPIA is exported; this one is "+string(d.State))
}
