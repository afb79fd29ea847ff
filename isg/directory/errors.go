package directory

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

// Stable error codes of this package. A code never changes meaning once published; the Gateway
// returns them unchanged. Input errors carry the module-wide "invalid_input" code.
const (
	// CodeEmailTaken (ErrConflict; REG-7): an account with the address exists.
	CodeEmailTaken = "user.email_taken"
	// CodeTokenExpired (ErrRule; REG-3): the verification token's lifetime has passed.
	CodeTokenExpired = "account.token_expired"
	// CodeAlreadyVerified (ErrInvalidTransition; REG-3): the account's address is verified.
	CodeAlreadyVerified = "account.already_verified"
	// CodeBootstrapDone (ErrConflict): the platform already has a Central Admin.
	CodeBootstrapDone = "bootstrap.done"
	// CodeInvalidCredentials (ErrForbidden; REG-4): unknown address or wrong password, never told apart.
	CodeInvalidCredentials = "auth.invalid_credentials"
	// CodeUnverified (ErrForbidden; REG-3): the address is not verified yet.
	CodeUnverified = "auth.unverified"
	// CodeAwaitingValidation (ErrForbidden; REG-1): the central admin team has not validated the account.
	CodeAwaitingValidation = "auth.awaiting_validation"
	// CodeLocked (ErrForbidden; REG-4): the account is locked after repeated failures.
	CodeLocked = "auth.locked"
	// CodeResetTokenInvalid (ErrNotFound; REG-8): an unknown, used or replaced reset token.
	CodeResetTokenInvalid = "account.reset_token_invalid"
	// CodeResetTokenExpired (ErrRule; REG-8): the reset token's hour has passed.
	CodeResetTokenExpired = "account.reset_token_expired"
	// CodeAlreadyCentralAdmin (ErrConflict; REG-4): the account is a Central Admin already.
	CodeAlreadyCentralAdmin = "account.already_central_admin"
	// CodeNotActive (ErrRule; REG-4): only an active account can become a Central Admin.
	CodeNotActive = "account.not_active"
	// CodeBreakGlassNotNeeded (ErrRule; REG-4): an active Central Admin is left, who can unlock;
	// or the account named is not a locked Central Admin.
	CodeBreakGlassNotNeeded = "break_glass.not_needed"
	// CodeInvitationNotPending (ErrInvalidTransition; REG-5): the invitation was accepted,
	// declined, withdrawn or has expired.
	CodeInvitationNotPending = "invitation.not_pending"

	// CodeOrganisationClosed (ErrRule; ORG-7): a closed or merged organisation takes no changes.
	CodeOrganisationClosed = "organisation.closed"
	// CodeODSTaken (ErrConflict; ORG-1): an organisation with the ODS code is registered.
	CodeODSTaken = "organisation.ods_taken"
	// CodeHasDPO (ErrRule; ORG-4): an organisation with a DPO needs no exemption.
	CodeHasDPO = "organisation.has_dpo"
	// CodeLastAdministrator and CodeLastSeniorOfficer (ErrRule; ORG-3): the last holder of the
	// role cannot lose it.
	CodeLastAdministrator = "organisation.last_administrator"
	CodeLastSeniorOfficer = "organisation.last_senior_officer"

	// CodeDelegationNotMember (ErrRule; ROLE-5): signing authority goes only to another user of
	// the same organisation.
	CodeDelegationNotMember = "delegation.not_member"
	// CodeDelegationNotFound (ErrNotFound): no such delegation at the organisation.
	CodeDelegationNotFound = "delegation.not_found"
	// CodeDelegationRevoked (ErrInvalidTransition; ROLE-5): the delegation is already revoked.
	CodeDelegationRevoked = "delegation.revoked"

	// CodeMergeInvalidParty (ErrRule; ORG-6): an organisation named twice, or the survivor itself.
	CodeMergeInvalidParty = "merge.invalid_party"
	// CodeMergeInvalidTransition (ErrInvalidTransition; ORG-6): the request is no longer pending.
	CodeMergeInvalidTransition = "merge.invalid_transition"
	// CodeMergeAlreadyAnswered (ErrInvalidTransition; ORG-6): the organisation has approved already.
	CodeMergeAlreadyAnswered = "merge.already_answered"

	// CodeClosurePending (ErrConflict; ORG-7): a closure request is already open.
	CodeClosurePending = "closure.pending"
	// CodeClosureInvalidTransition (ErrInvalidTransition; ORG-7): the request's state has no such step.
	CodeClosureInvalidTransition = "closure.invalid_transition"

	// CodeMoUNotPublished (ErrNotFound; MOU-1): no MoU text is published.
	CodeMoUNotPublished = "mou.not_published"
	// CodeMoUNotCurrent (ErrRule; MOU-1): the version signed is not the newest, or the hash is not
	// of its text.
	CodeMoUNotCurrent = "mou.not_current"
	// CodeMoUAlreadySigned (ErrConflict; MOU-1): the organisation signed this version already.
	CodeMoUAlreadySigned = "mou.already_signed"
	// CodeMoUNotSigned (ErrNotFound; MOU-1): the organisation never signed.
	CodeMoUNotSigned = "mou.not_signed"

	// CodeAssetNotFound (ErrNotFound): no such information asset at the organisation.
	CodeAssetNotFound = "information_asset.not_found"
)

// NotFound is the answer for an unknown ID of a record kind ("merge_request", …), code
// "<kind>.not_found": also the answer for a record the actor may not see, so that the two are
// never told apart (ROLE-7).
func NotFound(kind, id string) *Error {
	return &Error{Kind: ErrNotFound, Code: kind + ".not_found", Message: "no " + kind + " " + id}
}

func refuse(kind error, code, rule, msg string) *Error {
	return &Error{Kind: kind, Code: code, Rule: rule, Message: msg}
}
