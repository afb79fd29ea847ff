package agreement

import "github.com/isgkit/gateway/isg/violation"

// CodeNotExportable (ErrInvalidTransition; EXIT-2): only a finalised or signed flow — an
// agreement in force — is exported as a document; a draft, one under review, or one whose
// lifecycle has ended is not.
const CodeNotExportable = "flow.not_exportable"

// CheckExport says whether org may export flow f as a document (EXIT-2): f must be in force
// (Finalised or Signed: the agreement the parties finalised) and org one of its parties, for the
// document speaks for the parties. The Gateway has already answered a flow org may not see
// exactly as an unknown ID (SUM-3) and checked the licence (LIC-3).
//
// Errors: ErrForbidden (CodeNotParty) for an organisation that sees the flow, as its creator,
// without being named in it; ErrInvalidTransition (CodeNotExportable) for a flow not in force.
func CheckExport(f Flow, org OrgID) error {
	if !f.Names(org) {
		return violation.New(ErrForbidden, CodeNotParty, "EXIT-2", "only an organisation named in the flow exports it")
	}
	if !f.State.InForce() {
		return violation.New(ErrInvalidTransition, CodeNotExportable, "EXIT-2",
			"only a finalised or signed flow is exported; this one is "+string(f.State))
	}
	return nil
}
