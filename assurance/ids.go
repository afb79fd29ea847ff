package assurance

import (
	"github.com/isgkit/gateway/isg/ident"
	"github.com/isgkit/gateway/isg/violation"
)

// OrgID identifies an organisation; it is the module's one organisation ID type.
type OrgID = ident.OrgID

// UserID identifies a user account; it is the module's one user ID type.
type UserID = ident.UserID

// Error is the module's one rich error type (an alias, so isg.Error and assurance.Error are the
// same type). Validate and Submit return a *Error of kind ErrInvalid.
type Error = violation.Error

// FieldError names one bad field of a submission and the rule it breaks (ASR-1 or ASR-4).
type FieldError = violation.FieldError

// ErrInvalid is the kind of every error this package returns; match it with errors.Is.
var ErrInvalid = violation.ErrInvalid
