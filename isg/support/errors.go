package support

import "github.com/isgkit/gateway/isg/violation"

// Error is the module's one rich error type (violation.Error under this package's name).
type Error = violation.Error

// FieldError names one bad input field, the reason and the rule it breaks.
type FieldError = violation.FieldError

// The sentinel error kinds this package returns: the module's shared sentinels, matched with
// errors.Is under any package's name.
var (
	ErrInvalid           = violation.ErrInvalid
	ErrNotFound          = violation.ErrNotFound
	ErrForbidden         = violation.ErrForbidden
	ErrConflict          = violation.ErrConflict
	ErrInvalidTransition = violation.ErrInvalidTransition
	ErrLicence           = violation.ErrLicence
	ErrRule              = violation.ErrRule
)

// Stable error codes of this package. A code never changes meaning once published; the Gateway
// returns them unchanged. Input errors carry the module-wide "invalid_input" code with field
// errors, and escalating a free-licence organisation's request is package licensing's
// "licence.capability_denied" naming the central_support capability (LIC-3).
const (
	// CodeNoGroup (ErrLicence; LIC-3): the organisation holds no group licence and sits in no
	// active licensing group, so it has no Super Administrators to raise support with, and as a
	// free-licence organisation it cannot raise support with the central team.
	CodeNoGroup = "support.no_group"
	// CodeInvalidTransition (ErrInvalidTransition; SUP-1): the request's state has no such step
	// (answering a resolved request, escalating an answered one, …).
	CodeInvalidTransition = "support.invalid_transition"
	// CodeNotRequester (ErrForbidden; SUP-1): only the requester, or an Administrator of the
	// requester's organisation, takes the step (reopening, or resolving before any answer).
	CodeNotRequester = "support.not_requester"
	// CodeNotAnsweringTeam (ErrForbidden; SUP-1): an open request is answered and escalated by
	// its group's Super Administrators only; an escalated one is answered by the central team only.
	CodeNotAnsweringTeam = "support.not_answering_team"
	// CodeReopenWindowPassed (ErrRule; SUP-1): a request is reopened within ReopenDays of its
	// answer or its resolution, not later.
	CodeReopenWindowPassed = "support.reopen_window_passed"
	// CodeStale (ErrConflict; SUP-1): the request changed since the actor read it (another
	// answer won): read it again and retry if the step is still wanted.
	CodeStale = "support.stale"
	// CodeResourceWithdrawn (ErrInvalidTransition; SUP-3): a withdrawn resource is neither
	// revised nor withdrawn again.
	CodeResourceWithdrawn = "resource.withdrawn"
	// CodeNoFile (ErrNotFound; SUP-3): the resource's version has no file.
	CodeNoFile = "resource.no_file"
)

// NotFound is the answer for an unknown support request and, exactly the same (code, kind and
// rule), for one the reader may not see (SUP-2): "support_request.not_found".
func NotFound(id RequestID) *Error {
	return &Error{Kind: ErrNotFound, Code: "support_request.not_found", Rule: "SUP-2", Message: "no support request " + id.String()}
}

// ResourceNotFound is the answer for an unknown resource and, exactly the same, for one the
// reader may not see (SUP-3): "resource.not_found".
func ResourceNotFound(id ResourceID) *Error {
	return &Error{Kind: ErrNotFound, Code: "resource.not_found", Rule: "SUP-3", Message: "no resource " + id.String()}
}

func refuse(kind error, code, rule, msg string) *Error {
	return &Error{Kind: kind, Code: code, Rule: rule, Message: msg}
}

func required(field, rule, msg string) FieldError {
	return FieldError{Field: field, Code: "required", Rule: rule, Message: msg}
}
