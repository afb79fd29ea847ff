package agreement

import "github.com/isgkit/gateway/isg/violation"

// Error is the module's one rich error type (an alias of the shared type, so errors.As matches it
// under any package's name).
type Error = violation.Error

// FieldError names one bad input field, the reason and the rule it breaks.
type FieldError = violation.FieldError

// The sentinel error kinds, matched with errors.Is. They are the module's shared sentinels.
var (
	ErrInvalid           = violation.ErrInvalid
	ErrNotFound          = violation.ErrNotFound
	ErrForbidden         = violation.ErrForbidden
	ErrConflict          = violation.ErrConflict
	ErrInvalidTransition = violation.ErrInvalidTransition
	ErrLicence           = violation.ErrLicence
	ErrRule              = violation.ErrRule
)

// Stable error codes of this package. A code never changes meaning once published. Input errors
// carry the module-wide "invalid_input" code and list field errors; the field error codes used
// here beyond the validator's own ("required", "min", …) are listed too.
const (
	// CodeInvalidTransition (ErrInvalidTransition; FLOW-2): the flow's state has no such step.
	CodeInvalidTransition = "flow.invalid_transition"
	// CodeLocked (ErrInvalidTransition; FLOW-5, FLOW-6): the flow is under DPO review or approved
	// and so locked for every organisation.
	CodeLocked = "flow.locked"
	// CodeNotEditable (ErrInvalidTransition; FLOW-3): the flow is finalised (or beyond) and can no
	// longer be edited by anyone.
	CodeNotEditable = "flow.not_editable"
	// CodeNotParty (ErrForbidden; FLOW-3): the actor's organisation is neither named in the flow
	// nor its creator.
	CodeNotParty = "flow.not_party"
	// CodeNotCreator (ErrForbidden; FLOW-3 finalise, FLOW-6 edit while rejected, FLOW-7
	// re-review): only the creating organisation may take this step.
	CodeNotCreator = "flow.not_creator"
	// CodeNotReviewer (ErrForbidden; FLOW-6): the actor was not asked to review the flow as a DPO
	// for the organisation it acts for.
	CodeNotReviewer = "flow.not_reviewer"
	// CodeAlreadyDecided (ErrInvalidTransition; FLOW-6): the DPO has already given that decision
	// (approved, or rejected) on the current version of the flow and has not been asked again.
	CodeAlreadyDecided = "flow.already_decided"
	// CodeDPOApprovalRequired (ErrRule; FLOW-4): a flow with personal or special-category data
	// cannot be finalised straight from Draft.
	CodeDPOApprovalRequired = "flow.dpo_approval_required"
	// CodeApprovalRequired (ErrRule; FLOW-8): no DPO approval of the current version and the
	// review-by date has not passed.
	CodeApprovalRequired = "flow.approval_required"
	// CodeOpenRejection (ErrRule; FLOW-8): a DPO rejection is still open.
	CodeOpenRejection = "flow.open_rejection"
	// CodeNoOpenRejection (ErrRule; FLOW-7): a re-review was asked of a DPO with no open rejection.
	CodeNoOpenRejection = "flow.no_open_rejection"
	// CodePartyHasOpenRejection (ErrRule; FLOW-7): an edit would remove an organisation whose
	// DPO's rejection is still open; the rejection must be answered first.
	CodePartyHasOpenRejection = "flow.party_has_open_rejection"
	// CodeWrongSummary (ErrConflict): the summary passed is not the flow's summary.
	CodeWrongSummary = "flow.wrong_summary"
	// CodeSummaryNotVisible (ErrForbidden; SUM-3): the actor's organisation may not see the
	// summary, so it may not change it or add to it.
	CodeSummaryNotVisible = "summary.not_visible"
	// CodeFlowNotVisible (ErrForbidden; SUM-3): the actor's organisation may not see the flow.
	CodeFlowNotVisible = "flow.not_visible"
	// CodeOrgInFlow (ErrRule; FLOW-11): a summary edit would remove an organisation that a flow
	// beneath still names.
	CodeOrgInFlow = "summary.org_in_flow"
	// CodeLawEnforcementInFlow (ErrRule; SUM-1): a summary edit would drop the Law Enforcement
	// category that a flow beneath relies on.
	CodeLawEnforcementInFlow = "summary.law_enforcement_in_flow"
	// CodeBadState (ErrInvalid): the flow's stored state is not one this package knows.
	CodeBadState = "flow.unknown_state"
)

// Field error codes this package adds to the validator's ("required", "min", "oneof", …).
const (
	FieldCodeNotOnSummary     = "not_on_summary"                // FLOW-11: a party not named in the summary
	FieldCodeNotParty         = "not_party"                     // FLOW-1, FLOW-5: not a party of the flow
	FieldCodeDuplicate        = "duplicate"                     // a list names an item twice
	FieldCodeLegalBasis       = "legal_basis"                   // FLOW-1: not a known identifier
	FieldCodeArt6Required     = "art6_required"                 // FLOW-1: personal data without Art. 6
	FieldCodeArt9Required     = "art9_required"                 // FLOW-1: special category without Art. 9
	FieldCodePart3Required    = "dpa2018_part3_required"        // FLOW-1: law enforcement without Part 3
	FieldCodePart3NotLE       = "part3_without_law_enforcement" // FLOW-1: Part 3 on a non-LE flow
	FieldCodeNeedsPersonal    = "requires_personal_data"        // FLOW-1: special/LE data not marked personal
	FieldCodeSummaryNotLE     = "summary_not_law_enforcement"   // SUM-1: LE flow under a non-LE summary
	FieldCodeDirectionOverlap = "direction_overlap"             // FLOW-1: one-way flow sending to itself
	FieldCodeNotFuture        = "not_future"                    // FLOW-5: review-by not after the request
)

// Code returns the stable code of err (the Code of the first *Error in its chain, or one derived
// from its sentinel kind), "" for nil and "internal" for anything else.
func Code(err error) string { return violation.Code(err) }
