package licensing

import "github.com/isgkit/gateway/isg/violation"

// Error is the module's rich error: Kind (matched with errors.Is against the sentinels below), a
// stable Code, the Rule ID and field errors. It is violation.Error under this package's name.
type Error = violation.Error

// FieldError names one bad input field, why it is bad and the rule it breaks.
type FieldError = violation.FieldError

// The error kinds this package returns; they are the module's shared sentinels, so errors.Is
// matches them whichever package's name the host uses.
var (
	ErrInvalid           = violation.ErrInvalid
	ErrNotFound          = violation.ErrNotFound
	ErrConflict          = violation.ErrConflict
	ErrInvalidTransition = violation.ErrInvalidTransition
	ErrLicence           = violation.ErrLicence
	ErrRule              = violation.ErrRule
)

// Stable error codes of this package. A code never changes meaning once published; a host maps
// codes (violation.Code / isg.ErrorCode) to its own responses. Input errors use the module-wide
// "invalid_input" code with field errors.
const (
	// CodeCapabilityDenied (ErrLicence; LIC-3 or LIC-4): the entitlement lacks a capability. The
	// error's single field error has Field "capability" and Code the capability's name.
	CodeCapabilityDenied = "licence.capability_denied"
	// CodeUserLimit (ErrLicence; LIC-3): a free-model organisation already has FreeUserLimit users.
	CodeUserLimit = "licence.user_limit"
	// CodeAllocationLimit (ErrLicence; LIC-1): the contract's licences are all allocated.
	CodeAllocationLimit = "licence.allocation_limit"
	// CodeContractInactive (ErrLicence; LIC-5): licences are allocated only under an active contract.
	CodeContractInactive = "licence.contract_inactive"
	// CodeAlreadyHeld (ErrConflict): the organisation already holds an active licence of that
	// kind under the contract; a second would waste one of the contract's slots.
	CodeAlreadyHeld = "licence.already_held"
	// CodeLicenceNotFound (ErrNotFound): no licence with that ID under the contract.
	CodeLicenceNotFound = "licence.not_found"
	// CodeSuperAdminLimit (ErrRule; LIC-2): the contract already names MaxSuperAdmins.
	CodeSuperAdminLimit = "licence.super_admin_limit"
	// CodeSuperAdminExists (ErrConflict; LIC-2): the user is already a Super Administrator.
	CodeSuperAdminExists = "licence.super_admin_exists"
	// CodeSuperAdminNotFound (ErrNotFound; LIC-2): the user is not a Super Administrator.
	CodeSuperAdminNotFound = "licence.super_admin_not_found"
	// CodeRenewalPriceCap (ErrRule; LIC-6): the renewal price exceeds MaxRenewalPrice; the
	// error's field error names "price".
	CodeRenewalPriceCap = "licence.renewal_price_cap"
	// CodeRenewalOverlap (ErrRule; LIC-6): a renewal term must start when the current one ends or
	// later, because a contract is not repriced during its term; the field error names
	// "term.start".
	CodeRenewalOverlap = "licence.renewal_overlaps_term"
	// CodeContractEnded (ErrInvalidTransition): the contract was ended early or has run out, so it
	// cannot be ended or renewed again.
	CodeContractEnded = "licence.contract_ended"
	// CodeInvalidTransition (ErrInvalidTransition; LIC-7 for requests): the request or licence is
	// not in a state that allows the step (e.g. declining an allocated request, revoking twice).
	CodeInvalidTransition = "licence.invalid_transition"
)
