package dpia

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
	ErrRule              = violation.ErrRule
)

// Stable error codes of this package. A code never changes meaning once published. Input errors
// carry the module-wide "invalid_input" code and list field errors.
const (
	// CodeNotFound (ErrNotFound; DPIA-2): no such DPIA, or one the actor is not a contributor to:
	// the same answer, so that a refusal never tells a DPIA the actor may not open from an
	// unknown ID.
	CodeNotFound = "dpia.not_found"
	// CodeActivityNotFound (ErrNotFound; DPIA-1): no such activity at the actor's organisation.
	CodeActivityNotFound = "activity.not_found"
	// CodeInvalidTransition (ErrInvalidTransition): the DPIA's state has no such step.
	CodeInvalidTransition = "dpia.invalid_transition"
	// CodeLocked (ErrInvalidTransition): the DPIA awaits approval and is locked for editing; an
	// evaluator returning a section for correction, or a rejection, reopens it (DPIA-9).
	CodeLocked = "dpia.locked"
	// CodeNotEditable (ErrInvalidTransition; DPIA-10): an approved DPIA is never edited in place:
	// revise it, which starts a new version; a superseded or closed one is history.
	CodeNotEditable = "dpia.not_editable"
	// CodeNotCreator (ErrForbidden; DPIA-2): only the DPIA's creator adds contacts and
	// contributors.
	CodeNotCreator = "dpia.not_creator"
	// CodeNotApprover (ErrForbidden; DPIA-6): the actor is not an approver the DPIA names, for the
	// organisation it acts for.
	CodeNotApprover = "dpia.not_approver"
	// CodeNotEvaluator (ErrForbidden; DPIA-9): the actor is not an evaluator of the DPIA.
	CodeNotEvaluator = "dpia.not_evaluator"
	// CodeNotDPO (ErrForbidden; DPIA-9): only the DPO the DPIA names records the DPO's opinion.
	CodeNotDPO = "dpia.not_dpo"
	// CodeNotAssignee (ErrForbidden; DPIA-5): only the task's assignee, or the DPIA's creator,
	// completes a task; only the action's owner, or the creator, completes an action (DPIA-9).
	CodeNotAssignee = "dpia.not_assignee"
	// CodeNoApprovers (ErrRule; DPIA-6): a DPIA goes for approval only once it names an approver.
	CodeNoApprovers = "dpia.no_approvers"
	// CodeRedRiskUnconsulted (ErrRule; DPIA-7): an outstanding red (extreme) residual risk and no
	// ICO prior-consultation outcome recorded.
	CodeRedRiskUnconsulted = "dpia.red_risk_unconsulted"
	// CodeNotEvaluated (ErrRule; DPIA-9): a section is not evaluated acceptable, or improvable
	// with its action planned.
	CodeNotEvaluated = "dpia.not_evaluated"
	// CodeDPOOpinionRequired (ErrRule; DPIA-9): the DPIA names a DPO whose opinion is not
	// recorded yet.
	CodeDPOOpinionRequired = "dpia.dpo_opinion_required"
	// CodeAlreadyApproved (ErrInvalidTransition; DPIA-6): the approver has already approved this
	// revision of the DPIA.
	CodeAlreadyApproved = "dpia.already_approved"
	// CodeOpenVersion (ErrRule; DPIA-10): a newer version of the DPIA is open (not yet approved);
	// finish it before revising again.
	CodeOpenVersion = "dpia.open_version"
	// CodeNotLatest (ErrRule; DPIA-10): a newer approved version exists: revise that one.
	CodeNotLatest = "dpia.not_latest"
	// CodeBadState (ErrInvalid): the DPIA's stored state is not one this package knows.
	CodeBadState = "dpia.unknown_state"
	// CodeTaskNotFound (ErrNotFound; DPIA-5): the DPIA has no such task.
	CodeTaskNotFound = "dpia.task_not_found"
	// CodeActionNotFound (ErrNotFound; DPIA-9): the DPIA's action plan has no such action.
	CodeActionNotFound = "dpia.action_not_found"
	// CodeRiskNotFound (ErrNotFound; DPIA-6): the DPIA's risk register has no such risk.
	CodeRiskNotFound = "dpia.risk_not_found"
)

// Field error codes this package adds to the validator's ("required", "max", "oneof", …).
const (
	FieldCodeUnknownQuestion = "unknown_question" // DPIA-3, DPIA-4: not a question of the screening or template
	FieldCodeNotContributor  = "not_contributor"  // DPIA-5, DPIA-6: the user is not a contributor for that organisation
	FieldCodeNotOnContacts   = "not_on_contacts"  // DPIA-2: the organisation is not on the DPIA's contacts
	FieldCodeDuplicate       = "duplicate"        // a list names an item twice
	FieldCodeNotUploaded     = "not_uploaded"     // DPIA-4: not a document uploaded to this DPIA
	FieldCodeActionRequired  = "action_required"  // DPIA-9: an improvable section needs its corrective action
	FieldCodeNotAfter        = "not_after"        // a date that must come after another (outcome after sending)
	FieldCodeRequiredWith    = "required_with"    // a value needed together with another
)

func fieldErr(field, code, rule, msg string) FieldError {
	return FieldError{Field: field, Code: code, Rule: rule, Message: msg}
}

// notFound is the one answer to a DPIA the actor may not open, or that does not exist (DPIA-2).
func notFound(id ID) error {
	return violation.New(ErrNotFound, CodeNotFound, "DPIA-2", "no dpia "+id.String())
}
